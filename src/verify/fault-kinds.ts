/** The faults a faulty generated program can end in (docs/microarch.md §6), one per program. */
export const FAULT_KINDS = [
  'illegal-opcode', 'reserved-bits', 'bad-enum', 'bad-mem', 'elems-gt-w', 'local-range', 'main-range',
  'bad-cfg', 'vector-overlap', 'pc-branch', 'pc-falloff',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
