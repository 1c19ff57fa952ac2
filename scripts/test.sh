#!/usr/bin/env bash
# 모든 테스트: course_lib 단위 테스트, 연습문제 채점기, 노트북 실행(nbval), 위젯 전수 점검,
# 그리고 웹사이트 브라우저 테스트(tests/browser: 책을 -W로 빌드한 뒤 Chromium으로 확인).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-build
bash scripts/install-browser.sh   # chromium + fonts-noto-cjk for tests/browser (no-op if present)
.venv/bin/python -m pytest -q -p no:cacheprovider --nbval-lax tests book "$@"
