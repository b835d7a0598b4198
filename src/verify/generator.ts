/**
 * The seeded random program generator (DESIGN.md §4): legal programs that exercise every
 * instruction class and halt cleanly, and faulty programs that end in exactly one known fault.
 *
 * Same config + same RNG state ⇒ the same program and memory image, bit for bit.
 */
import type { ChipConfig } from '../config/index.js';
import { CFG_REGS, ERROR_CODES, ISA_BY_MNEMONIC } from '../isa/table.js';
import { encode } from '../isa/encoding.js';
import { GeneratorBug } from './builder.js';
import { GenContext, REGS } from './gen-context.js';
import { FAULT_KINDS, genFault, type FaultKind } from './gen-faults.js';
import {
  BLOCK_WORDS, genBackToBack, genBranch, genCfgInFlight, genInterlock, genParallel, genLoop, genMmDrain, genSimple, genTrainStep, type BlockName,
} from './gen-blocks.js';
import { genCfg, genDma, genFence, genMm, genRq, genScalar, genSgd, genValu, randomCfgValue, emitCfg } from './gen-ops.js';
import { randomMemoryInit, type MemoryInit } from './memory-init.js';
import type { Rng } from './rng.js';

export interface GenerateOptions {
  /** 'legal' (default) or 'faulty'. */
  readonly kind?: 'legal' | 'faulty';
  /** For faulty programs: which fault (default: random). */
  readonly fault?: FaultKind;
  /** Number of blocks in the body (default: random 4..12). */
  readonly blocks?: number;
  /** Upper bound on program words before the ending (default 160, and always fits imem). */
  readonly maxWords?: number;
  /** Bytes of main memory the program may use (default min(mainBytes, 4096)), at 0 or at the top. */
  readonly mainWindow?: number;
  /** Conservative cycle estimate the body must stay under (default 2000). */
  readonly cycleBudget?: number;
}

export interface ExpectedOutcome {
  /** Error code the chip must halt with (0 for legal programs). */
  readonly error: number;
  /** PC reported after the halt: the faulting instruction, or the out-of-range PC for PC_RANGE. */
  readonly faultPc?: number;
}

export interface GeneratedProgram {
  readonly words: bigint[];
  readonly init: MemoryInit;
  readonly kind: 'legal' | 'faulty';
  /** One line: kind, size, blocks, fault. */
  readonly description: string;
  readonly expect: ExpectedOutcome;
  readonly fault?: FaultKind;
  /** Blocks of the body, in order (for coverage reports). */
  readonly blocks: readonly BlockName[];
  /** Conservative cycle estimate (an upper bound for sizing run limits). */
  readonly estCycles: number;
  /** Coverage features (mnemonics, options, cfg registers, rounding modes, fault kind). */
  readonly features: readonly string[];
}

const BLOCK_WEIGHTS: ReadonlyArray<readonly [BlockName, number]> = [
  ['scalar', 2], ['cfg', 2], ['ld', 3], ['st', 2], ['mm', 2], ['mmDrain', 3], ['backToBack', 2], ['valu', 4],
  ['rq', 2], ['sgd', 2], ['fence', 1], ['interlock', 3], ['parallel', 2], ['trainStep', 2], ['cfgInFlight', 2], ['loop', 3], ['branch', 2],
];

const NOP = encode(ISA_BY_MNEMONIC.get('nop')!, {});
const HALT = encode(ISA_BY_MNEMONIC.get('halt')!, {});

/** Words kept free for the ending: fault setup (addi, cfg), the fault itself, halt. */
const ENDING_WORDS = 6;

function runBlock(g: GenContext, name: BlockName): boolean {
  switch (name) {
    case 'scalar': return genScalar(g);
    case 'cfg': return genCfg(g);
    case 'ld': return genDma(g, 'ld');
    case 'st': return genDma(g, 'st');
    case 'mm': return genMm(g) !== undefined;
    case 'mmDrain': return genMmDrain(g);
    case 'backToBack': return genBackToBack(g);
    case 'valu': return genValu(g);
    case 'rq': return genRq(g);
    case 'sgd': return genSgd(g);
    case 'fence': return genFence(g);
    case 'interlock': return genInterlock(g);
    case 'parallel': return genParallel(g);
    case 'trainStep': return genTrainStep(g);
    case 'cfgInFlight': return genCfgInFlight(g);
    case 'loop': return genLoop(g, genSimple);
    case 'branch': return genBranch(g);
  }
}

/** Registers start with values useful as bases: 0, small, negative, region starts, main offsets. */
function prologue(g: GenContext): void {
  const r = g.rng;
  for (const rd of REGS.addr) {
    if (g.b.room() <= ENDING_WORDS + 4 || !r.chance(0.8)) continue;
    const mem = r.pick(['sp', 'acc', 'grad'] as const);
    const v = r.weighted([
      [r.int(0, 2 * g.W), 3],
      [-r.int(1, 2 * g.W), 1],
      [(g.rows(mem) / 4) * r.int(0, 3), 2],
      [g.mainBase + r.int(0, g.mainWindow - 1), 2],
    ] as const);
    g.b.emit('addi', { rd, rs: 0, imm: v });
    g.cost(1);
  }
  g.b.emit('addi', { rd: REGS.mainBase, rs: 0, imm: g.mainBase + r.int(0, Math.min(64, g.mainWindow - 1)) });
  // Configure a random subset up front (later blocks reconfigure some of them again).
  const n = r.int(2, CFG_REGS.length);
  for (let i = 0; i < n && g.b.room() > ENDING_WORDS + 4; i++) {
    const name = r.pick(CFG_REGS);
    emitCfg(g, name, randomCfgValue(g, name));
  }
}

/**
 * Generate one program. `rng` is consumed; pass a fresh `new Rng(seed)` to reproduce a program.
 * Throws GeneratorBug only on a bug in the generator itself.
 */
export function generateProgram(config: ChipConfig, rng: Rng, opts: GenerateOptions = {}): GeneratedProgram {
  const kind = opts.kind ?? 'legal';
  const imem = config.memory.imemWords;
  const mainWindow = Math.min(opts.mainWindow ?? 4096, config.memory.mainBytes);
  let fault: FaultKind | undefined;
  if (kind === 'faulty') {
    fault = opts.fault ?? rng.pick(FAULT_KINDS);
    // A branch target is 16 bits: with a 64 Ki-word imem no target is out of range.
    if (fault === 'pc-branch' && imem > 0xffff) fault = 'pc-falloff';
  }
  // pc-falloff needs a jmp plus up to 3 tail words at the very end of imem.
  const maxWords = Math.min(opts.maxWords ?? 160, imem - (fault === 'pc-falloff' ? 4 : 0)) ;
  // Half the programs work at the very top of main memory, so the upper main range check is hit.
  const mainBase = rng.chance(0.5) ? 0 : config.memory.mainBytes - mainWindow;
  const g = new GenContext(config, rng, maxWords, mainWindow, mainBase, opts.cycleBudget ?? 2000);
  prologue(g);

  const nBlocks = opts.blocks ?? rng.int(4, 12);
  const blocks: BlockName[] = [];
  for (let i = 0, tries = 0; blocks.length < nBlocks && tries < nBlocks * 4; tries++) {
    const name = rng.weighted(BLOCK_WEIGHTS);
    if (g.b.room() < BLOCK_WORDS[name] + ENDING_WORDS) continue;
    if (g.budgetLeft() < 100) break;
    if (runBlock(g, name)) blocks.push(name);
    i++;
  }

  let expect: ExpectedOutcome = { error: ERROR_CODES.NONE };
  let detail = '';
  let tailWords: number | undefined;
  if (fault) {
    // Often fault while units still work: the chip must drain them (state 2) before halting.
    if (rng.chance(0.5) && g.b.room() >= ENDING_WORDS + 3) {
      if (rng.chance(0.5)) genMm(g, { k: rng.int(g.W, 4 * g.W) });
      else genDma(g, rng.pick(['ld', 'st'] as const), { rows: rng.int(2, 8) });
    }
    const out = genFault(g, fault);
    tailWords = out.tail;
    expect = out.pc === undefined ? { error: out.error } : { error: out.error, faultPc: out.pc };
    detail = out.detail;
  }
  let words = g.b.words;
  if (fault === 'pc-falloff') {
    // Pad with nops up to the tail, then nop / addi r7 words that run into the end of imem.
    const tail = tailWords ?? 1;
    const pad = new Array<bigint>(imem - tail - words.length).fill(NOP);
    const tailWords_: bigint[] = [];
    for (let i = 0; i < tail; i++) tailWords_.push(i === 0 ? NOP : encode(ISA_BY_MNEMONIC.get('addi')!, { rd: REGS.scratch[0], rs: 0, imm: i }));
    words = [...words, ...pad, ...tailWords_];
  } else {
    if (g.b.pc >= imem) throw new GeneratorBug(`program of ${g.b.pc} words does not fit imem ${imem}`);
    if (fault) g.b.emitRaw(HALT); // after a fault: never reached
    else g.b.emit('halt', {});
    words = g.b.words;
  }
  const init = randomMemoryInit(config, rng, mainBase, mainWindow, g.b.footprint());
  const description = `${kind}: ${words.length} words, blocks ${blocks.join(' ') || '(none)'}${fault ? `; fault ${fault}: ${detail}` : ''}`;
  const features = [...g.b.features, ...(fault ? [`fault:${fault}`] : [])].sort();
  return { words, init, kind, description, expect, ...(fault ? { fault } : {}), blocks, estCycles: g.estCycles, features };
}

export { FAULT_KINDS, type FaultKind } from './gen-faults.js';
export { GeneratorBug } from './builder.js';
