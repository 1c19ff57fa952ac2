#!/usr/bin/env bash
# 모든 테스트: course_lib 단위 테스트, 연습문제 채점기, 노트북 실행(nbval), 위젯 전수 점검.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-build
export MPLBACKEND=Agg
.venv/bin/python -m pytest -q -p no:cacheprovider --nbval-lax tests book "$@"
