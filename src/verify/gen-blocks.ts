/**
 * Multi-instruction blocks: back-to-back matmuls and drains, interlock-heavy sequences, counted
 * loops and forward branches. Each block leaves the tracked state exact (outside loops) so the
 * next block can build on it.
 */
import { VALU_FNS, type CfgReg } from '../isa/table.js';
import { exact } from './footprint.js';
import { GenContext, REGS } from './gen-context.js';
import { genCfg, genDma, genDrain, genFence, genMm, genRq, genScalar, genSgd, genValu } from './gen-ops.js';

export type BlockName =
  | 'scalar' | 'cfg' | 'ld' | 'st' | 'mm' | 'mmDrain' | 'backToBack' | 'valu' | 'rq' | 'sgd' | 'fence'
  | 'interlock' | 'parallel' | 'trainStep' | 'cfgInFlight' | 'loop' | 'branch';

/** Largest number of words each block may emit (so it is only started when it fits). */
export const BLOCK_WORDS: Readonly<Record<BlockName, number>> = {
  scalar: 1, cfg: 1, ld: 2, st: 2, mm: 3, mmDrain: 4, backToBack: 18, valu: 1, rq: 1, sgd: 1, fence: 1,
  interlock: 12, parallel: 10, trainStep: 14, cfgInFlight: 6, loop: 16, branch: 10,
};

/** A single simple op (used inside loops and skipped blocks). */
export function genSimple(g: GenContext): boolean {
  const r = g.rng;
  const op = r.weighted([
    ['ld', 3], ['st', 2], ['mm', 3], ['drain', 2], ['valu', 3], ['rq', 1], ['sgd', 1], ['fence', 1], ['scalar', 1], ['cfg', 1],
  ] as const);
  switch (op) {
    case 'ld': return genDma(g, 'ld');
    case 'st': return genDma(g, 'st');
    case 'mm': return genMm(g) !== undefined;
    case 'drain': return genDrain(g) !== undefined;
    case 'valu': return genValu(g);
    case 'rq': return genRq(g);
    case 'sgd': return genSgd(g);
    case 'fence': return genFence(g);
    case 'scalar': return genScalar(g);
    case 'cfg': return genCfg(g);
  }
}

/** mm then drain of the same bank: the drain waits for the array to flush. */
export function genMmDrain(g: GenContext): boolean {
  const m = genMm(g);
  if (!m) return false;
  genDrain(g, { bank: m.bank });
  return true;
}

/**
 * Back-to-back matmuls: accumulate into one bank, switch banks, drain one bank while the other
 * computes, then drain the second — the double-buffering pattern of a real GEMM.
 */
export function genBackToBack(g: GenContext): boolean {
  const first = g.rng.int(0, 1);
  const m0 = genMm(g, { bank: first, acc: 0 });
  if (!m0) return false;
  if (g.rng.chance(0.7)) genMm(g, { bank: first, acc: 1 });
  genMm(g, { bank: 1 - first, acc: g.rng.int(0, 1) });
  genDrain(g, { bank: first });
  if (g.rng.chance(0.5)) genMm(g, { bank: first, acc: 1 });
  genDrain(g, { bank: 1 - first });
  return true;
}

/**
 * Interlock-heavy: an mm reads sp rows, a DMA then loads into those very rows (must wait for the
 * MXU), a drain waits for the flush, a vector op and a store then touch the drained rows (wait for
 * DRN, then VPU).
 */
export function genInterlock(g: GenContext): boolean {
  const m = genMm(g, { k: g.rng.int(g.W, 3 * g.W) });
  if (!m) return false;
  genDma(g, 'ld', { mem: 'sp', zones: [g.rng.chance(0.5) ? m.left : m.top] });
  const mem = g.rng.pick(['acc', 'grad'] as const);
  const d = genDrain(g, { bank: m.bank, mem });
  if (d) {
    genValu(g, { dmem: mem, smem: mem, zones: [d] });
    genDma(g, 'st', { mem, zones: [d] });
    if (g.rng.chance(0.5)) genRq(g, { smem: mem, zones: [d] });
  }
  if (g.rng.chance(0.3)) genFence(g);
  return true;
}

/**
 * All four units at once on disjoint regions: an mm reads one sp region while the DMA loads another,
 * the drain empties the other bank into acc and the VPU works in grad. Nothing conflicts, so the
 * units overlap — the RTL's memory ports and write-back paths are busy in the same cycles.
 */
export function genParallel(g: GenContext): boolean {
  const r = g.rng;
  const spZones = g.zones.sp.slice(0, 4);
  const a = r.int(0, spZones.length - 1);
  const b = (a + r.int(1, spZones.length - 1)) % spZones.length;
  const m = genMm(g, { k: r.int(g.W, 4 * g.W), leftZones: [spZones[a]!], topZones: [spZones[a]!] });
  if (!m) return false;
  genDma(g, 'ld', { mem: 'sp', zones: [spZones[b]!], rows: r.int(1, 4) });
  genDrain(g, { bank: 1 - m.bank, mem: 'acc' });
  genValu(g, { dmem: 'grad', smem: 'grad' });
  return true;
}

/**
 * A miniature training step: forward mm → drain to acc → rq with relu → backward mm → drain add
 * into grad → relubwd → sgd with clear. Exercises the dataflow a compiled program uses.
 */
export function genTrainStep(g: GenContext): boolean {
  const fwd = genMm(g, { acc: 0 });
  if (!fwd) return false;
  const a = genDrain(g, { bank: fwd.bank, mem: 'acc' });
  if (a) genRq(g, { smem: 'acc', zones: [a] });
  const bwd = genMm(g, { bank: 1 - fwd.bank, acc: 0 });
  if (bwd) {
    const gr = genDrain(g, { bank: bwd.bank, mem: 'grad' });
    if (gr) genValu(g, { fn: 'relubwd', dmem: 'grad', smem: g.rng.pick(['acc', 'sp'] as const), zones: [gr] });
  }
  if (g.rng.chance(0.5)) genCfg(g, 'ROUND');
  genSgd(g);
  return true;
}

/**
 * Reconfigure right after issuing the instruction that uses the register: units latch their
 * configuration at issue (isa.md, cfg), so the work in flight must not see the new value — an RTL
 * that reads the cfg register while working fails here.
 */
export function genCfgInFlight(g: GenContext): boolean {
  const r = g.rng;
  const which = r.pick(['rq', 'sgd', 'vmul', 'vsra', 'vclamp', 'ld', 'st', 'mm'] as const);
  let ok: boolean;
  let regs: readonly CfgReg[];
  switch (which) {
    case 'rq': ok = genRq(g); regs = ['QMUL', 'QSHIFT', 'ROUND', 'SEED']; break;
    case 'sgd': ok = genSgd(g); regs = ['LR_MUL', 'LR_SHIFT', 'ROUND', 'SEED']; break;
    case 'vmul': ok = genValu(g, { fn: 'mul' }); regs = ['VSHIFT']; break;
    case 'vsra': ok = genValu(g, { fn: 'sra' }); regs = ['VSHIFT']; break;
    case 'vclamp': ok = genValu(g, { fn: 'clamp' }); regs = ['CLAMP_LO', 'CLAMP_HI']; break;
    case 'ld':
    case 'st': ok = genDma(g, which, { rows: r.int(2, 8) }); regs = ['DMA_STRIDE']; break;
    case 'mm': ok = genMm(g, { k: r.int(g.W + 1, 3 * g.W) }) !== undefined; regs = ['LSTRIDE', 'TSTRIDE']; break;
  }
  if (!ok) return false;
  for (const name of regs) if (r.chance(0.7)) genCfg(g, name);
  return true;
}

/**
 * A counted loop (2–4 iterations) whose body steps a local-row and a main-byte induction register.
 * Loop shapes cover every branch mnemonic: blt/bne back-edges, bge/beq exits with a jmp back-edge,
 * and a count-down with blt r0.
 */
export function genLoop(g: GenContext, genBlock: (g: GenContext) => boolean): boolean {
  const r = g.rng;
  const b = g.b;
  const { loopCounter: rc, loopBound: rn, loopLocal: rl, loopMain: rm } = REGS;
  const n = r.int(2, 4);
  const shape = r.pick(['blt', 'bne', 'bge', 'beq', 'down'] as const);
  const stepL = r.pick([0, 1, g.R, g.C, g.W, -1]);
  const stepM = r.pick([0, g.W, 4 * g.W, -g.W]);
  const v0L = r.int(-g.W, 2 * g.W);
  const v0M = g.mainBase + r.int(0, Math.max(0, g.mainWindow >> 1));
  const down = shape === 'down';
  b.emit('addi', { rd: rc, rs: 0, imm: down ? n : 0 });
  if (!down) b.emit('addi', { rd: rn, rs: 0, imm: n });
  b.emit('addi', { rd: rl, rs: 0, imm: v0L });
  b.emit('addi', { rd: rm, rs: 0, imm: v0M });
  g.cost(4);
  const top = b.pc;
  const span = (v0: number, s: number) => ({ lo: Math.min(v0, v0 + (n - 1) * s), hi: Math.max(v0, v0 + (n - 1) * s) });
  b.loop = { iterations: n, reserved: new Set([rc, rn, rl, rm]) };
  // The body may write scratch registers (and only those); a write late in the body changes what
  // an earlier instruction sees in the next iteration, so no body instruction may rely on them.
  for (const s of REGS.scratch) b.setReg(s, undefined);
  b.setReg(rc, down ? { lo: 1, hi: n } : { lo: 0, hi: n - 1 });
  b.setReg(rl, span(v0L, stepL));
  b.setReg(rm, span(v0M, stepM));
  const scale = g.costScale;
  g.costScale = scale * n;
  const bodyLen = r.int(1, 3);
  let emitted = 0;
  for (let i = 0; i < bodyLen * 3 && emitted < bodyLen && b.room() > 10; i++) if (genBlock(g)) emitted++;
  if (emitted === 0) b.emit('nop', {});
  b.loop = undefined;
  // Increments and the back-edge: the loop machinery writes its own registers.
  if (stepL !== 0 || r.chance(0.5)) b.emit('addi', { rd: rl, rs: rl, imm: stepL });
  b.emit('addi', { rd: rm, rs: rm, imm: stepM });
  b.emit('addi', { rd: rc, rs: rc, imm: down ? -1 : 1 });
  switch (shape) {
    case 'blt': b.emit('blt', { rs: rc, rt: rn, target: top }); break;
    case 'bne': b.emit('bne', { rs: rc, rt: rn, target: top }); break;
    case 'down': b.emit('blt', { rs: 0, rt: rc, target: top }); break;
    case 'bge':
    case 'beq': {
      const exit = b.emit(shape, { rs: rc, rt: rn, target: 0 });
      b.emit('jmp', { target: top });
      b.patchTarget(exit, b.pc);
      break;
    }
  }
  g.costScale = scale;
  g.cost(n * 6);
  // After the loop everything it owns is exact again.
  b.setReg(rc, exact(down ? 0 : n));
  if (!down) b.setReg(rn, exact(n)); // the count-down shape never writes the bound register
  b.setReg(rl, exact((v0L + n * stepL) | 0));
  b.setReg(rm, exact((v0M + n * stepM) | 0));
  return true;
}

/**
 * A forward branch over a small block, taken or not (the generator knows the register values), or
 * an unconditional jmp over it. A skipped block is generated and checked but its effects are
 * discarded from the tracked state.
 */
export function genBranch(g: GenContext): boolean {
  const r = g.rng;
  const b = g.b;
  const known = Array.from({ length: 16 }, (_, i) => i).filter((i) => b.exactReg(i) !== undefined);
  const mn = r.pick(['beq', 'bne', 'blt', 'bge', 'jmp'] as const);
  let taken = true;
  let at: number;
  if (mn === 'jmp') {
    at = b.emit('jmp', { target: 0 });
  } else {
    const rs = r.pick(known);
    const rt = r.chance(0.3) ? rs : r.pick(known);
    const a = b.exactReg(rs)!;
    const c = b.exactReg(rt)!;
    taken = mn === 'beq' ? a === c : mn === 'bne' ? a !== c : mn === 'blt' ? a < c : a >= c;
    at = b.emit(mn, { rs, rt, target: 0 });
  }
  g.cost(2);
  const saved = taken ? b.snapshot() : undefined;
  const savedCost = g.estCycles;
  const len = r.int(1, 3);
  for (let i = 0; i < len && b.room() > 6; i++) genSimple(g);
  if (saved) {
    b.restore(saved);
    g.estCycles = savedCost;
  }
  b.patchTarget(at, b.pc);
  return true;
}

/** Every VALU function, for tests that want one of each. */
export const ALL_VALU = VALU_FNS;
