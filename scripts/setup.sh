#!/usr/bin/env bash
# 새 컴퓨터에서: 가상환경을 만들고, 필요한 패키지를 설치하고, 책을 빌드합니다.
# Usage: bash scripts/setup.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements.txt
if [ "${1:-}" != "--no-build" ]; then
  .venv/bin/jupyter-book build . -W --keep-going
  echo
  echo "책이 만들어졌습니다: $(pwd)/_build/html/index.html"
  echo "브라우저로 보려면:  .venv/bin/python -m http.server -d _build/html 8000  →  http://localhost:8000"
fi
