#!/bin/bash
# Install kinlink into ./.venv. Usage: scripts/install.sh [EXTRAS]   e.g. scripts/install.sh test,spark,bench
# With test extras it also installs the Debian packages the tests need (as root, when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS="${1:-}"

if [[ "$EXTRAS" == *test* ]]; then
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v msgfmt >/dev/null || missing+=(gettext)
  dpkg -s fonts-dejavu-core >/dev/null 2>&1 || missing+=(fonts-dejavu-core)
  if ((${#missing[@]})); then
    echo "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

PYTHON=$(command -v python3.11 || command -v python3)
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "is ignored" || true
spec="."
[ -n "$EXTRAS" ] && spec=".[$EXTRAS]"
.venv/bin/python -m pip install -q -e "$spec" 2>&1 | grep -v "is ignored" || true
.venv/bin/python -c "import kinlink, django; print('kinlink installed, Django', django.get_version())"
