/**
 * The C++ `extern "C"` shim around the Verilated model (Verilator 5.006's --lib-create is not a C
 * API). Leaf text compiled into the model's shared library; koffi calls these functions.
 *
 * Host bus protocol (docs/microarch.md §9): the chip registers the bus where it enters, so a write
 * drives it for one edge and takes effect at the next; a read samples host_rdata two edges after it
 * drives the address (block accesses are pipelined, one word a cycle). Counters and status are read from
 * signals the generator marks `public_flat_rd`, which costs no clock (a CSR read would advance a
 * running chip).
 */
export const SHIM_CPP = String.raw`// accelgen test-bench shim (generated; do not edit)
#include <cstdint>
#include "verilated.h"
#include "Vag_top.h"
#include "Vag_top___024root.h"
#if VM_TRACE
#include "verilated_vcd_c.h"
#endif

// Verilator's generated top-level evaluation (Verilator 5.006 through 5.48 name it so).
void Vag_top___024root___eval(Vag_top___024root* vlSelf);

namespace {
// One context for every model instance of this library, created once and never deleted: deleting
// a VerilatedContext while another model of the process is alive leaves Verilator's per-thread
// context pointer dangling (seen as hangs and crashes after closing one of two instances).
VerilatedContext* sharedContext() {
  static VerilatedContext* ctx = [] {
    VerilatedContext* c = new VerilatedContext;
#if VM_TRACE
    c->traceEverOn(true);  // before any model exists, so models compute trace activity
#endif
    return c;
  }();
  return ctx;
}

struct Ag {
  VerilatedContext* ctx;
  Vag_top* top;
  uint64_t time;
  double status[10];  // ag_status's record; the test bench reads it in place (ag_status_buf)
#if VM_TRACE
  VerilatedVcdC* vcd;
#endif
};

inline void half(Ag* a) {
  // The model's own evaluation, without eval()'s per-call wrapper (an init check, and the end-of-eval
  // message queue, which takes a mutex every call: ~5 % of a clock here). Safe once eval() has run
  // (ag_new does), with one thread and no $display-style messages in the design. While a VCD is
  // written, eval() proper: it also marks the model active, without which the dump records no change.
#if VM_TRACE
  if (a->vcd) {
    a->top->eval();
    a->vcd->dump(a->time);
  } else {
    Vag_top___024root___eval(a->top->rootp);
  }
#else
  Vag_top___024root___eval(a->top->rootp);
#endif
  a->time++;
}

inline void tick(Ag* a) {
  a->top->clk = 1;
  half(a);
  a->top->clk = 0;
  half(a);
}

/* Packed trace record: valid, issue<<1, busy<<2, state<<6, pc<<8 (pc < 2^24: imem ≤ 65536 words). */
inline uint32_t dbg(Ag* a) {
  Vag_top* t = a->top;
  return (uint32_t)t->dbg_pc_valid | ((uint32_t)t->dbg_issue << 1) | ((uint32_t)t->dbg_busy << 2) |
         ((uint32_t)t->dbg_state << 6) | ((uint32_t)t->dbg_pc << 8);
}

inline bool running(Ag* a) { return a->top->dbg_state == 1 || a->top->dbg_state == 2; }
}  // namespace

extern "C" {

void* ag_new(void) {
  Ag* a = new Ag();
  a->ctx = sharedContext();
  a->top = new Vag_top(a->ctx, "ag_top");
  a->time = 0;
#if VM_TRACE
  a->vcd = nullptr;
#endif
  a->top->clk = 0;
  a->top->rst = 1;
  a->top->host_en = 0;
  a->top->host_we = 0;
  a->top->host_addr = 0;
  a->top->host_wdata = 0;
  a->top->eval();
  tick(a);
  a->top->rst = 0;
  a->top->eval();
  return a;
}

void ag_free(void* h) {
  Ag* a = static_cast<Ag*>(h);
  // With several models open in one process, the thread's current context is the last one made;
  // tearing this one down under another (possibly freed) context hangs Verilator 5.006.
  Verilated::threadContextp(a->ctx);
#if VM_TRACE
  if (a->vcd) { a->vcd->close(); delete a->vcd; }
#endif
  a->top->final();
  delete a->top;
  delete a;
}

void ag_reset(void* h) {
  Ag* a = static_cast<Ag*>(h);
  a->top->rst = 1;
  tick(a);
  a->top->rst = 0;
  a->top->eval();
}

// The chip registers the host bus where it enters (docs/microarch.md §9): a request takes effect
// at the second clock edge after it is driven, and read data is valid after that edge.
void ag_write(void* h, uint32_t addr, uint32_t data) {
  Ag* a = static_cast<Ag*>(h);
  a->top->host_en = 1; a->top->host_we = 1; a->top->host_addr = addr; a->top->host_wdata = data;
  tick(a);
  a->top->host_en = 0; a->top->host_we = 0;
  tick(a);
}

uint32_t ag_read(void* h, uint32_t addr) {
  Ag* a = static_cast<Ag*>(h);
  a->top->host_en = 1; a->top->host_we = 0; a->top->host_addr = addr;
  tick(a);
  a->top->host_en = 0;
  tick(a);
  return a->top->host_rdata;
}

void ag_write_block(void* h, uint32_t addr, const uint32_t* data, uint32_t n) {
  Ag* a = static_cast<Ag*>(h);
  a->top->host_en = 1; a->top->host_we = 1;
  for (uint32_t i = 0; i < n; i++) {
    a->top->host_addr = addr + i; a->top->host_wdata = data[i];
    tick(a);
  }
  a->top->host_en = 0; a->top->host_we = 0;
  tick(a);
}

/* Pipelined: request i is driven in cycle i; its data is there after the edge of cycle i + 1. */
void ag_read_block(void* h, uint32_t addr, uint32_t* out, uint32_t n) {
  Ag* a = static_cast<Ag*>(h);
  if (n == 0) return;
  a->top->host_en = 1; a->top->host_we = 0;
  for (uint32_t i = 0; i < n; i++) {
    a->top->host_addr = addr + i;
    tick(a);
    if (i > 0) out[i - 1] = a->top->host_rdata;
  }
  a->top->host_en = 0;
  tick(a);
  out[n - 1] = a->top->host_rdata;
}

/* One clock edge while running; then the status record (see ag_status). */
void ag_status(void* h);
void ag_step(void* h) {
  Ag* a = static_cast<Ag*>(h);
  if (running(a)) tick(a);
  ag_status(h);
}

/* Run until the chip is no longer running or max cycles have passed; returns the cycles run. */
double ag_run(void* h, double max) {
  Ag* a = static_cast<Ag*>(h);
  uint64_t n = 0, lim = (uint64_t)max;
  while (n < lim && running(a)) { tick(a); n++; }
  return (double)n;
}

/* Packed trace record of the current cycle (see dbg above). */
uint32_t ag_dbg(void* h) { return dbg(static_cast<Ag*>(h)); }

/* Up to n cycles while running: out[i] = trace of the cycle before its clock edge. Returns cycles run. */
uint32_t ag_step_trace(void* h, uint32_t n, uint32_t* out) {
  Ag* a = static_cast<Ag*>(h);
  uint32_t i = 0;
  for (; i < n && running(a); i++) { out[i] = dbg(a); tick(a); }
  return i;
}

/* Status without a clock, into the handle's status record (ag_status_buf): cycles, macs, dma_busy,
   stalls, retired, running, halted, error, pc, and the packed trace record of the current cycle (one
   call for a stepping test bench's per-cycle look). */
void ag_status(void* h) {
  Ag* a = static_cast<Ag*>(h);
  Vag_top___024root* r = a->top->rootp;
  double* out = a->status;
  out[0] = (double)r->ag_top__DOT__perf_cycles;
  out[1] = (double)r->ag_top__DOT__perf_macs;
  out[2] = (double)r->ag_top__DOT__perf_dma_busy;
  out[3] = (double)r->ag_top__DOT__perf_stalls;
  out[4] = (double)r->ag_top__DOT__perf_retired;
  out[5] = (double)r->ag_top__DOT__ctrl_st_running;
  out[6] = (double)r->ag_top__DOT__ctrl_st_halted;
  out[7] = (double)r->ag_top__DOT__ctrl_st_error;
  out[8] = (double)r->ag_top__DOT__ctrl_st_pc;
  out[9] = (double)dbg(a);
}

/* The status record ag_status and ag_step write: 10 doubles, valid until ag_free. */
double* ag_status_buf(void* h) { return static_cast<Ag*>(h)->status; }

int ag_vcd_open(void* h, const char* path) {
#if VM_TRACE
  Ag* a = static_cast<Ag*>(h);
  if (a->vcd) return 0;
  a->vcd = new VerilatedVcdC;
  a->top->trace(a->vcd, 99);
  a->vcd->open(path);
  return 1;
#else
  (void)h; (void)path;
  return -1;
#endif
}

void ag_vcd_close(void* h) {
#if VM_TRACE
  Ag* a = static_cast<Ag*>(h);
  if (a->vcd) { a->vcd->close(); delete a->vcd; a->vcd = nullptr; }
#else
  (void)h;
#endif
}

}  // extern "C"
`;
