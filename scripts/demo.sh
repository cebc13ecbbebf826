#!/bin/bash
# Install kinlink and run the demo: a fresh SQLite database with synthetic data, served on :8000.
# Extra arguments go to `kinlink demo` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
exec .venv/bin/kinlink demo "$@"
