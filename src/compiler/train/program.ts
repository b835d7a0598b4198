import type { ChipConfig } from '../../config/index.js';
import { encode } from '../../isa/encoding.js';
import { CFG_REGS, ISA_BY_MNEMONIC, type CfgReg } from '../../isa/table.js';
import { FitError, mainLayout, maxStepsPerRun, planMemory, type MainLayout, type ProgramKind, type TrainPlan } from './plan.js';
import type { ModelSpec } from './model.js';
import type { QuantScheme } from './scales.js';
import { OpFactory, REG, at, type Op } from './ops.js';
import { CfgState, schedule, type Emitter } from './schedule.js';
import { StepEmitter } from './step.js';
import { IssueModel } from './timing.js';

/**
 * Whole programs: a prologue (RNG seed, weights main → scratchpad, first batch), a loop that runs
 * one step (or inference batch) per iteration with the batch addresses in registers and the two
 * batch buffers swapped each time, and an epilogue (weights back to main memory, halt). The loop
 * body is scheduled once; every iteration runs the same instructions.
 */

export interface CompiledProgram {
  readonly kind: ProgramKind;
  readonly words: bigint[];
  readonly plan: TrainPlan;
  readonly main: MainLayout;
  /** Steps (batches) this program runs. */
  readonly steps: number;
  readonly seed: number;
  /** Index of the `cfg SEED` word (training), so a program can be reseeded without recompiling. */
  readonly seedWord: number;
  /** Instruction words of the loop body (one step). */
  readonly bodyWords: number;
  /** Timing model's estimate of one loop iteration in steady state. */
  readonly predicted: { readonly cyclesPerStep: number; readonly mxuCyclesPerStep: number };
}

export interface CompileOptions {
  readonly kind: ProgramKind;
  /** Batches this launch runs (≤ maxStepsPerRun). */
  readonly steps: number;
  /** RNG seed set by `cfg SEED` at the start (training). */
  readonly seed?: number;
}

type Item = { readonly op: Op } | { readonly label: string };

const MOFF_MAX = (1 << 18) - 1;
const DMA_ROWS_MAX = 256;

class Program implements Emitter {
  readonly items: Item[] = [];
  readonly cfgState = new CfgState();

  emitCfg(reg: CfgReg, value: number): void {
    this.items.push({ op: { unit: 'ctrl', mnemonic: 'cfg', fields: { reg: CFG_REGS.indexOf(reg), rs: 0, imm: value | 0 }, cfg: {}, dur: 0, spans: [] } });
  }

  emit(op: Op): void {
    this.items.push({ op });
  }

  /** Emit an op in program order with its cfg writes (outside the scheduler). */
  put(op: Op): void {
    for (const [r, v] of this.cfgState.needed(op)) {
      this.emitCfg(r, v);
      this.cfgState.set(r, v);
    }
    this.emit(op);
  }

  label(name: string): void {
    this.items.push({ label: name });
    this.cfgState.forget();
  }

  scalar(mnemonic: string, fields: Readonly<Record<string, number>>, target?: string): void {
    this.emit({ unit: 'ctrl', mnemonic, fields, cfg: {}, dur: 0, spans: [], ...(target ? { target } : {}) });
  }

  li(rd: number, value: number): void {
    this.scalar('addi', { rd, rs: 0, imm: value | 0 });
  }

  words(): bigint[] {
    const labels = new Map<string, number>();
    let pc = 0;
    for (const it of this.items) {
      if ('label' in it) labels.set(it.label, pc);
      else pc++;
    }
    const out: bigint[] = [];
    for (const it of this.items) {
      if ('label' in it) continue;
      const spec = ISA_BY_MNEMONIC.get(it.op.mnemonic);
      if (!spec) throw new Error(`internal: unknown mnemonic ${it.op.mnemonic}`);
      const fields = it.op.target ? { ...it.op.fields, target: labels.get(it.op.target)! } : it.op.fields;
      out.push(encode(spec, fields));
    }
    return out;
  }
}

/** Move every layer's weights between main memory (row-major) and their scratchpad blocks. */
function weightTransfers(p: Program, f: OpFactory, plan: TrainPlan, main: MainLayout, dir: 'ld' | 'st'): void {
  const { geo, spec } = plan;
  let base = 0;
  spec.layers.forEach((L, l) => {
    for (let ob = 0; ob < geo.outBlocks[l]!; ob++) {
      const elems = Math.min(geo.g, L.outputs - ob * geo.g);
      for (let r = 0; r < L.inputs; r += DMA_ROWS_MAX) {
        const rows = Math.min(DMA_ROWS_MAX, L.inputs - r);
        const addr = main.weights[l]! + r * L.outputs + ob * geo.g;
        // Offsets are 18 bits: far addresses go through a base register.
        if (addr - base > MOFF_MAX || addr < base) {
          base = addr;
          p.li(REG.mainBase, base);
        }
        const mreg = base === 0 ? REG.zero : REG.mainBase;
        const local = at('sp', plan.sp.weights[l]! + ob * geo.Np[l]! + r);
        p.put(dir === 'ld' ? f.ld(local, mreg, addr - base, rows, elems, L.outputs) : f.st(mreg, addr - base, local, rows, elems, L.outputs));
      }
    }
  });
}

/** Estimate a loop iteration in steady state: issue the body twice, measure the second. */
function predictBody(cfg: ChipConfig, plan: TrainPlan, body: readonly Op[]): { cyclesPerStep: number; mxuCyclesPerStep: number } {
  const [b0, b1] = plan.sp.buffers;
  const m = new IssueModel(cfg, b0, b1);
  const run = (): void => {
    for (const op of body) m.issue(op);
    m.avail += 1; // the taken branch's bubble
  };
  run();
  const start = m.avail;
  const mxu0 = m.mxuCycles;
  run();
  return { cyclesPerStep: m.avail - start, mxuCyclesPerStep: m.mxuCycles - mxu0 };
}

/** Compile a training or inference program of `steps` batches. Throws FitError when it cannot fit. */
export function compileProgram(cfg: ChipConfig, spec: ModelSpec, scheme: QuantScheme, batch: number, opts: CompileOptions): CompiledProgram {
  const { kind, steps } = opts;
  const plan = planMemory(cfg, spec, batch, kind);
  const maxSteps = maxStepsPerRun(plan, kind);
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, not ${steps}`);
  if (steps > maxSteps) {
    const need = mainLayout(plan, kind, steps).bytes;
    throw new FitError('main memory', need, cfg.memory.mainBytes, 'bytes', `${steps} batches in one run (at most ${maxSteps} fit)`);
  }
  const main = mainLayout(plan, kind, steps);
  const f = new OpFactory(cfg);
  const p = new Program();
  const [buf0, buf1] = plan.sp.buffers;
  const seed = (opts.seed ?? 0) >>> 0;

  // ---- prologue
  if (kind === 'train') p.emitCfg('SEED', seed | 0);
  weightTransfers(p, f, plan, main, 'ld');
  p.li(REG.cur, buf0);
  p.li(REG.next, buf1);
  p.li(REG.xMain, main.x);
  p.li(REG.tMain, main.t);
  p.li(REG.zMain, main.z);
  p.li(REG.steps, steps);
  const first = new StepEmitter(plan, scheme, kind);
  first.prefetch('spc');
  for (const op of first.ops) p.put(op);
  p.scalar('addi', { rd: REG.xMain, rs: REG.xMain, imm: main.xBatchBytes });
  if (kind === 'train') p.scalar('addi', { rd: REG.tMain, rs: REG.tMain, imm: main.tBatchBytes });

  // ---- loop body
  p.label('loop');
  const canonical = kind === 'train' ? new StepEmitter(plan, scheme, kind).trainStep() : new StepEmitter(plan, scheme, kind).inferBatch();
  const bodyStart = p.items.length;
  schedule(canonical, new IssueModel(cfg, buf0, buf1), p.cfgState, p);
  p.scalar('addi', { rd: REG.xMain, rs: REG.xMain, imm: main.xBatchBytes });
  if (kind === 'train') p.scalar('addi', { rd: REG.tMain, rs: REG.tMain, imm: main.tBatchBytes });
  p.scalar('addi', { rd: REG.zMain, rs: REG.zMain, imm: main.zBatchBytes });
  p.scalar('add', { rd: REG.tmp, rs: REG.cur, rt: REG.zero });
  p.scalar('add', { rd: REG.cur, rs: REG.next, rt: REG.zero });
  p.scalar('add', { rd: REG.next, rs: REG.tmp, rt: REG.zero });
  p.scalar('addi', { rd: REG.step, rs: REG.step, imm: 1 });
  p.scalar('blt', { rs: REG.step, rt: REG.steps }, 'loop');
  const body = p.items.slice(bodyStart).flatMap((it) => ('op' in it ? [it.op] : []));

  // ---- epilogue
  p.label('done');
  if (kind === 'train') weightTransfers(p, f, plan, main, 'st');
  p.scalar('halt', {});

  const words = p.words();
  if (words.length > cfg.memory.imemWords) {
    throw new FitError('instruction memory', words.length, cfg.memory.imemWords, 'words',
      `${spec.name} ${kind} program (one step is ${body.length} instructions)`);
  }
  return { kind, words, plan, main, steps, seed, seedWord: kind === 'train' ? 0 : -1, bodyWords: body.length, predicted: predictBody(cfg, plan, body) };
}

/** The same program with another RNG seed (only the first word, `cfg SEED`, changes). */
export function reseed(prog: CompiledProgram, seed: number): CompiledProgram {
  if (prog.seedWord < 0) return prog;
  const spec = ISA_BY_MNEMONIC.get('cfg')!;
  const words = prog.words.slice();
  words[prog.seedWord] = encode(spec, { reg: CFG_REGS.indexOf('SEED'), rs: 0, imm: seed | 0 });
  return { ...prog, words, seed: seed >>> 0 };
}
