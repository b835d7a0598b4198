/**
 * Coverage of generated programs: which mnemonics, options, memories, configuration registers,
 * rounding modes and faults they exercise. Tests assert that a modest number of programs covers
 * every item of REQUIRED_FEATURES, so a generator change that silently stops producing some
 * instruction class fails loudly.
 */
import { CFG_REGS, ISA, ISA_BY_MNEMONIC, MEM_NAMES } from '../isa/table.js';
import { FAULT_KINDS } from './fault-kinds.js';

export type Coverage = ReadonlySet<string>;

/** Features of one legal instruction: its mnemonic, each flag/mem/enum value, and the rounding mode. */
export function featuresOfInstr(mnemonic: string, fields: Readonly<Record<string, number>>, round: number): string[] {
  const spec = ISA_BY_MNEMONIC.get(mnemonic);
  if (!spec) return [];
  const out = [mnemonic];
  for (const fs of spec.fields) {
    if (spec.fixed?.[fs.name] !== undefined) continue;
    const v = fields[fs.name] ?? 0;
    if (fs.kind === 'flag') out.push(`${mnemonic}.${fs.name}=${v}`);
    else if (fs.kind === 'mem') out.push(`${mnemonic}.${fs.name}=${MEM_NAMES[v]}`);
    else if (fs.kind === 'enum' && fs.name === 'reg') out.push(`cfg.${CFG_REGS[v]}`);
  }
  if (mnemonic === 'rq' || mnemonic === 'sgd') out.push(`${mnemonic}.round=${round}`);
  return out;
}

/** Everything a few hundred generated programs must cover. */
export function requiredFeatures(): string[] {
  const req = new Set<string>();
  for (const spec of ISA) {
    req.add(spec.mnemonic);
    for (const fs of spec.fields) {
      if (spec.fixed?.[fs.name] !== undefined) continue;
      if (fs.kind === 'flag') for (const v of [0, 1]) req.add(`${spec.mnemonic}.${fs.name}=${v}`);
      if (fs.kind === 'mem') for (const m of fs.mems ?? []) req.add(`${spec.mnemonic}.${fs.name}=${m}`);
    }
  }
  for (const r of CFG_REGS) req.add(`cfg.${r}`);
  for (const m of ['rq', 'sgd']) for (const v of [0, 1]) req.add(`${m}.round=${v}`);
  for (const f of FAULT_KINDS) req.add(`fault:${f}`);
  return [...req].sort();
}

/** Union of the features of several programs. */
export function coverageOf(programs: Iterable<{ readonly features: readonly string[] }>): Set<string> {
  const s = new Set<string>();
  for (const p of programs) for (const f of p.features) s.add(f);
  return s;
}
