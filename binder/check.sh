#!/usr/bin/env bash
# Do what Binder does in a fresh venv, then run every chapter notebook there.
# Binder's image brings Jupyter (ipykernel, nbclient); we add nbval only to run the notebooks.
# Usage: bash binder/check.sh   (used by the weekly workflow; takes a minute or two)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
VENV=$(mktemp -d)/binder-venv
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q --no-cache-dir -r binder/requirements.txt
"$VENV/bin/python" -m pip install -q --no-cache-dir ipykernel "nbval>=0.11,<0.12" pytest
shopt -s nullglob
notebooks=(book/[0-9][0-9]_*.ipynb)
if [ ${#notebooks[@]} -eq 0 ]; then
  echo "binder/check.sh: installed fine; no chapter notebook yet"
  exit 0
fi
MPLBACKEND=Agg "$VENV/bin/python" -m pytest -q -p no:cacheprovider --nbval-lax "${notebooks[@]}"
