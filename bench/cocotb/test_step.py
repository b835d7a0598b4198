"""cocotb stepping benchmark on ag_top (rtl/default), the peer of RtlBackend.step() from TypeScript.

Driven by bench/cocotb/run.py (cocotb_tools.runner, Verilator). Environment:
  AG_HEX     program image from `accelgen asm` (one 64-bit word a line, 16 hex digits)
  AG_CYCLES  clock edges to step in the timed loop (default 50000)
  AG_RESULT  file to write the JSON result to

Reset, load the program over the host bus (imem region addr[31:28] = 1, two 32-bit words per
instruction, low half first), start it (CTRL CSR word 0, bit 0), then step one rising edge per
`await RisingEdge(dut.clk)` with one input write (host_wdata, host_en low so it is ignored) and one
output read (dbg_state) per cycle. Only that loop is timed.
"""

import json
import os
import time

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import RisingEdge

IMEM = 1 << 28
STATUS = 1  # CSR word 1
CYCLES_LO = 3


def read_hex(path):
    words = []
    with open(path) as f:
        for line in f:
            line = line.split("//")[0].strip()
            if line:
                words.append(int(line, 16))
    return words


async def host_write(dut, addr, data):
    # The chip registers the bus where it enters (docs/microarch.md §9): the write lands at the
    # second edge after it is driven.
    dut.host_en.value = 1
    dut.host_we.value = 1
    dut.host_addr.value = addr
    dut.host_wdata.value = data
    await RisingEdge(dut.clk)
    dut.host_en.value = 0
    dut.host_we.value = 0


async def host_read(dut, addr):
    dut.host_en.value = 1
    dut.host_we.value = 0
    dut.host_addr.value = addr
    await RisingEdge(dut.clk)  # request in the chip's input register
    dut.host_en.value = 0
    await RisingEdge(dut.clk)  # request served
    await RisingEdge(dut.clk)  # data valid after this edge
    return dut.host_rdata.value.to_unsigned()


@cocotb.test()
async def step_loop(dut):
    cycles = int(os.environ.get("AG_CYCLES", "50000"))
    words = read_hex(os.environ["AG_HEX"])

    Clock(dut.clk, 10, unit="ns").start()
    dut.rst.value = 1
    dut.host_en.value = 0
    dut.host_we.value = 0
    dut.host_addr.value = 0
    dut.host_wdata.value = 0
    for _ in range(4):
        await RisingEdge(dut.clk)
    dut.rst.value = 0
    await RisingEdge(dut.clk)

    for i, w in enumerate(words):
        await host_write(dut, IMEM | (2 * i), w & 0xFFFFFFFF)
        await host_write(dut, IMEM | (2 * i + 1), w >> 32)
    await host_write(dut, 0, 1)  # CTRL: start
    await RisingEdge(dut.clk)  # the start lands
    await RisingEdge(dut.clk)
    assert dut.dbg_state.value.to_unsigned() == 1, "chip did not start"
    cyc0 = await host_read(dut, CYCLES_LO)

    # The timed loop: one clock edge per await, one input write and one output read per cycle.
    clk = dut.clk
    wdata = dut.host_wdata
    state = dut.dbg_state
    running = 0
    t0 = time.perf_counter()
    for i in range(cycles):
        wdata.value = i & 0xFFFFFFFF
        await RisingEdge(clk)
        if state.value.to_unsigned() == 1:
            running += 1
    seconds = time.perf_counter() - t0

    cyc1 = await host_read(dut, CYCLES_LO)
    status = await host_read(dut, STATUS)
    assert running == cycles, f"chip left the running state inside the window ({running}/{cycles})"
    assert status & 1, f"STATUS {status:#x}: not running after the window"
    result = {
        "cycles": cycles,
        "seconds": seconds,
        "cycles_per_s": cycles / seconds,
        "chip_cycles_counted": (cyc1 - cyc0) & 0xFFFFFFFF,
        "cocotb": cocotb.__version__,
    }
    out = os.environ.get("AG_RESULT")
    if out:
        with open(out, "w") as f:
            json.dump(result, f)
    dut._log.info("result %s", json.dumps(result))
