import { PRESETS, PRESET_NAMES } from './presets.js';
import {
  ConfigError,
  type ArrayConfig,
  type ChipConfig,
  type DmaConfig,
  type VpuConfig,
  type ControllerConfig,
  type MemoryConfig,
} from './types.js';
import { fnv1a32, canonicalJson } from './hash.js';

import { LOCK_REGIONS } from './resources.js';

// `derived` is accepted (and recomputed) so a written config can be read back.
const TOP_KEYS = ['name', 'array', 'memory', 'dma', 'vpu', 'controller', 'base', 'derived'] as const;
const ARRAY_KEYS = ['rows', 'cols', 'mult', 'peLatency'] as const;
const MEMORY_KEYS = ['spRows', 'accRows', 'gradRows', 'mainBytes', 'imemWords'] as const;
const DMA_KEYS = ['bytesPerCycle'] as const;
const VPU_KEYS = ['lanes', 'latency'] as const;
const CONTROLLER_KEYS = ['stages'] as const;

/** Overrides a CLI may apply on top of a preset or file (`--rows`, `--cols`). */
export interface ConfigOverrides {
  readonly rows?: number;
  readonly cols?: number;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function checkKeys(obj: unknown, allowed: readonly string[], path: string, problems: string[]): void {
  if (obj === undefined) return;
  if (!isObject(obj)) {
    problems.push(`${path} must be an object`);
    return;
  }
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) problems.push(`${path ? path + '.' : ''}${k} is not a known key (expected one of: ${allowed.join(', ')})`);
  }
}

function intIn(
  v: unknown,
  path: string,
  lo: number,
  hi: number,
  problems: string[],
): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    problems.push(`${path} must be an integer, not ${JSON.stringify(v)}`);
    return lo;
  }
  if (v < lo || v > hi) problems.push(`${path} must be in ${lo}..${hi}, not ${v}`);
  return v;
}

/**
 * Validate a config input (a preset delta, a parsed JSON file) and return the frozen ChipConfig.
 * Collects every problem and throws one ConfigError listing them all.
 */
export function resolveConfig(input: unknown, overrides: ConfigOverrides = {}, source?: string): ChipConfig {
  const problems: string[] = [];
  checkKeys(input, TOP_KEYS, '', problems);
  const inp: Record<string, unknown> = isObject(input) ? input : {};
  checkKeys(inp.array, ARRAY_KEYS, 'array', problems);
  checkKeys(inp.memory, MEMORY_KEYS, 'memory', problems);
  checkKeys(inp.dma, DMA_KEYS, 'dma', problems);
  checkKeys(inp.vpu, VPU_KEYS, 'vpu', problems);
  checkKeys(inp.controller, CONTROLLER_KEYS, 'controller', problems);

  const baseName = inp.base === undefined ? 'default' : inp.base;
  if (typeof baseName !== 'string' || !(baseName in PRESETS)) {
    problems.push(`base must be one of ${PRESET_NAMES.join(', ')}, not ${JSON.stringify(baseName)}`);
  }
  const base = PRESETS[typeof baseName === 'string' && baseName in PRESETS ? baseName : 'default']!;
  const a = { ...base.array, ...(isObject(inp.array) ? inp.array : {}) } as Record<string, unknown>;
  const m = { ...base.memory, ...(isObject(inp.memory) ? inp.memory : {}) } as Record<string, unknown>;
  const d = { ...base.dma, ...(isObject(inp.dma) ? inp.dma : {}) } as Record<string, unknown>;
  const v = { ...base.vpu, ...(isObject(inp.vpu) ? inp.vpu : {}) } as Record<string, unknown>;
  const c = { ...base.controller, ...(isObject(inp.controller) ? inp.controller : {}) } as Record<string, unknown>;
  if (overrides.rows !== undefined) a.rows = overrides.rows;
  if (overrides.cols !== undefined) a.cols = overrides.cols;

  const rows = intIn(a.rows, 'array.rows', 1, 64, problems);
  const cols = intIn(a.cols, 'array.cols', 1, 64, problems);
  const peLatency = intIn(a.peLatency, 'array.peLatency', 1, 4, problems);
  let mult: ArrayConfig['mult'] = 'lut';
  if (a.mult === 'dsp' || a.mult === 'lut') mult = a.mult;
  else if (typeof a.mult === 'number' && Number.isInteger(a.mult) && a.mult >= 0) mult = a.mult;
  else problems.push(`array.mult must be "dsp", "lut" or a PE count ≥ 0, not ${JSON.stringify(a.mult)}`);
  const W = Math.max(rows, cols);
  const arrayOk = Number.isInteger(rows) && Number.isInteger(cols) && rows >= 1 && cols >= 1 && rows <= 64 && cols <= 64;

  const memRows = (key: 'spRows' | 'accRows' | 'gradRows', min: number): number => {
    const v = intIn(m[key], `memory.${key}`, 1, 1 << 14, problems);
    if (Number.isInteger(v) && v % LOCK_REGIONS !== 0) problems.push(`memory.${key} must be a multiple of ${LOCK_REGIONS}, not ${v}`);
    if (arrayOk && Number.isInteger(v) && v >= 1 && v < min) problems.push(`memory.${key} = ${v} is too small for a ${rows}×${cols} array: needs ≥ ${min} rows`);
    return v;
  };
  const spRows = memRows('spRows', 4 * W);
  const accRows = memRows('accRows', W);
  const gradRows = memRows('gradRows', W);
  const mainBytes = intIn(m.mainBytes, 'memory.mainBytes', 64, 1 << 24, problems);
  if (Number.isInteger(mainBytes) && mainBytes % 4 !== 0) problems.push(`memory.mainBytes must be a multiple of 4, not ${mainBytes}`);
  // ≤ 32768 so every PC, including the PC_RANGE one just past the end, fits the 16-bit trace port.
  const imemWords = intIn(m.imemWords, 'memory.imemWords', 16, 1 << 15, problems);
  const bytesPerCycle = intIn(d.bytesPerCycle, 'dma.bytesPerCycle', 1, 32, problems);
  if (![1, 2, 4, 8, 16, 32].includes(bytesPerCycle)) problems.push(`dma.bytesPerCycle must be 1, 2, 4, 8, 16 or 32, not ${bytesPerCycle}`);
  let lanes: VpuConfig['lanes'] = 'all';
  if (v.lanes === 'all') lanes = 'all';
  else if (typeof v.lanes === 'number' && Number.isInteger(v.lanes) && v.lanes >= 1 && (!arrayOk || v.lanes <= W)) lanes = v.lanes;
  else problems.push(`vpu.lanes must be "all" or a lane count in 1..${arrayOk ? W : 'W'} (W = max(rows, cols)), not ${JSON.stringify(v.lanes)}`);
  const vpuLatency = intIn(v.latency, 'vpu.latency', 3, 5, problems);
  const stages = intIn(c.stages, 'controller.stages', 1, 4, problems);
  const name = inp.name === undefined ? (inp.base === undefined && !isObject(inp.array) ? 'default' : 'custom') : inp.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) problems.push(`name must be 1–64 characters of [A-Za-z0-9_.-], not ${JSON.stringify(name)}`);

  if (problems.length > 0) throw new ConfigError(problems, source);

  const array: ArrayConfig = Object.freeze({ rows, cols, mult, peLatency });
  const memory: MemoryConfig = Object.freeze({ spRows, accRows, gradRows, mainBytes, imemWords });
  const dma: DmaConfig = Object.freeze({ bytesPerCycle });
  const vpu: VpuConfig = Object.freeze({ lanes, latency: vpuLatency });
  const controller: ControllerConfig = Object.freeze({ stages });
  const vpuLanes = lanes === 'all' ? W : lanes;
  const pes = rows * cols;
  const dspPEs = mult === 'dsp' ? pes : mult === 'lut' ? 0 : Math.min(mult, pes);
  const body = { name: name as string, array, memory, dma, vpu, controller };
  // A full-width 3-cycle vector unit and a one-stage controller are the original design: leaving them out
  // of the hash keeps those configs' hashes (and their cached builds and checked-in RTL) unchanged.
  const hashed: Record<string, unknown> = { array, memory, dma };
  const vpuHashed: Record<string, number> = {};
  if (vpuLanes !== W) vpuHashed.lanes = vpuLanes;
  if (vpuLatency !== 3) vpuHashed.latency = vpuLatency;
  if (Object.keys(vpuHashed).length) hashed.vpu = vpuHashed;
  if (stages !== 1) hashed.controller = controller;
  const hash = fnv1a32(canonicalJson(hashed)).toString(16).padStart(8, '0');
  return Object.freeze({
    ...body,
    derived: Object.freeze({ W, dspPEs, vpuLanes, vpuRowCycles: Math.ceil(W / vpuLanes), flushCycles: rows + cols + peLatency + 2, hash }),
  });
}

/** Resolve a preset by name (`default`, `ice40-up5k`, …) with optional overrides. */
export function presetConfig(name: string, overrides: ConfigOverrides = {}): ChipConfig {
  if (!(name in PRESETS)) {
    throw new ConfigError([`unknown preset ${JSON.stringify(name)}: expected one of ${PRESET_NAMES.join(', ')}`]);
  }
  const p = PRESETS[name]!;
  const named = overrides.rows !== undefined || overrides.cols !== undefined
    ? `${name}-${overrides.rows ?? p.array.rows}x${overrides.cols ?? p.array.cols}`
    : name;
  return resolveConfig({ ...p, base: name, name: named }, overrides, `preset ${name}`);
}

/** The plain JSON form of a resolved config (what `generate` writes and a config file may hold). */
export function configToJson(cfg: ChipConfig): Record<string, unknown> {
  return { name: cfg.name, array: cfg.array, memory: cfg.memory, dma: cfg.dma, vpu: cfg.vpu, controller: cfg.controller, derived: cfg.derived };
}
