#!/usr/bin/env bash
# Peer tools the benchmark compares against, in a project-local venv (.venv-bench/, gitignored).
# SCALE-Sim v3 (PyPI scalesim 3.0.0) needs numpy < 2. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-bench"
if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c "import scalesim, numpy; assert numpy.__version__ < '2'" 2>/dev/null; then
  echo "install-bench-tools: $VENV has scalesim (nothing to do)"
  exit 0
fi
[[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --disable-pip-version-check --quiet "scalesim==3.0.0" "numpy<2"
echo "install-bench-tools: installed scalesim 3.0.0 into $VENV"
