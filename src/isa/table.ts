/**
 * THE instruction-set table. Encoder, decoder, assembler, disassembler, simulator decode,
 * the generated Verilog decoder and docs/isa.md are all derived from this one list.
 *
 * Every instruction is one 64-bit word; bits [63:58] hold the opcode. Bits not covered by a field
 * of the instruction must be zero (otherwise the word is an illegal instruction).
 */

export const WORD_BITS = 64;
export const OPCODE_LSB = 58;
export const OPCODE_WIDTH = 6;

/**
 * Field kinds.
 * - reg: scalar register r0..r15 (r0 reads as 0, writes are ignored)
 * - uimm/simm: unsigned / two's-complement immediate
 * - count: a count n in 1..2^width, encoded as n-1
 * - flag: 0/1 option
 * - enum: a named value; codes not listed are illegal
 * - mem: a local-memory selector (sp=0, acc=1, grad=2); codes not allowed for the instruction are illegal
 * - target: absolute instruction address
 */
export type FieldKind = 'reg' | 'uimm' | 'simm' | 'count' | 'flag' | 'enum' | 'mem' | 'target';

export type MemName = 'sp' | 'acc' | 'grad';
export const MEM_CODES: Readonly<Record<MemName, number>> = { sp: 0, acc: 1, grad: 2 };
export const MEM_NAMES: readonly MemName[] = ['sp', 'acc', 'grad'];

export interface FieldSpec {
  readonly name: string;
  readonly lsb: number;
  readonly width: number;
  readonly kind: FieldKind;
  /** enum: names indexed by code. */
  readonly values?: readonly string[];
  /** mem: the memories this field may select. */
  readonly mems?: readonly MemName[];
  readonly doc: string;
}

/** How an operand is written in assembly. */
export type OperandSyntax =
  | { readonly type: 'reg'; readonly field: string }
  | { readonly type: 'imm'; readonly field: string }
  | { readonly type: 'enum'; readonly field: string }
  /** `mem[rN+imm]`; `mem` is a field name (selectable) or a fixed memory (`main`, `sp`, …). */
  | { readonly type: 'addr'; readonly mem: { field: string } | { fixed: MemName | 'main' }; readonly reg: string; readonly imm: string };

export type Unit = 'ctrl' | 'dma' | 'mxu' | 'drn' | 'vpu';

export interface InstrSpec {
  readonly mnemonic: string;
  readonly opcode: number;
  /** Fields whose value is fixed for this mnemonic (several mnemonics may share an opcode). */
  readonly fixed?: Readonly<Record<string, number>>;
  readonly fields: readonly FieldSpec[];
  /** Positional operands, in order. */
  readonly operands: readonly OperandSyntax[];
  /** Optional trailing `name=value` operands (flags and small options); default 0. */
  readonly options: readonly string[];
  readonly unit: Unit;
  readonly summary: string;
  /** Precise semantics, in words; docs/isa.md prints it. */
  readonly semantics: string;
}

/** Configuration registers written by `cfg`. Index = code. */
export const CFG_REGS = [
  'DMA_STRIDE', 'QMUL', 'QSHIFT', 'LR_MUL', 'LR_SHIFT', 'ROUND', 'SEED', 'VSHIFT', 'CLAMP_LO', 'CLAMP_HI', 'LSTRIDE', 'TSTRIDE',
] as const;
export type CfgReg = (typeof CFG_REGS)[number];

/** What each configuration register means (docs/isa.md prints these). */
export const CFG_REG_DOCS: Readonly<Record<CfgReg, string>> = {
  DMA_STRIDE: 'main-memory bytes between rows of a 2-D DMA (signed)',
  QMUL: 'requantize multiplier (low 16 bits, signed)',
  QSHIFT: 'requantize right shift, 0..47',
  LR_MUL: 'SGD learning-rate multiplier (low 16 bits, signed)',
  LR_SHIFT: 'SGD right shift, 0..47',
  ROUND: 'rounding of rq and sgd: 0 nearest (half up), 1 stochastic',
  SEED: 'RNG seed; also resets the RNG element counter to 0',
  VSHIFT: 'right shift of vmul and vsra, 0..47',
  CLAMP_LO: 'lower bound of vclamp',
  CLAMP_HI: 'upper bound of vclamp',
  LSTRIDE: 'rows between W-lane blocks of a transposed left operand, 0..16383',
  TSTRIDE: 'rows between W-lane blocks of a transposed top operand, 0..16383',
};

/** Unit bits of `fence` masks (also the order of busy flags in traces). */
export const UNIT_BITS = { DMA: 1, MXU: 2, DRN: 4, VPU: 8, ALL: 15 } as const;

/** Error codes reported in STATUS when the chip stops on a fault. */
export const ERROR_CODES = {
  NONE: 0,
  ILLEGAL_INSTRUCTION: 1,
  BAD_OPERAND: 2,
  LOCAL_RANGE: 3,
  MAIN_RANGE: 4,
  PC_RANGE: 5,
} as const;
export type ErrorName = keyof typeof ERROR_CODES;

/** What each error code means (docs/isa.md prints these). */
export const ERROR_DOCS: Readonly<Record<ErrorName, string>> = {
  NONE: 'no error',
  ILLEGAL_INSTRUCTION: 'unknown opcode, reserved bits set, an enum or memory code not allowed, or `elems > W` in ld/st',
  BAD_OPERAND: 'a cfg value out of range, or a vector source and destination that overlap without starting at the same row',
  LOCAL_RANGE: 'a local-memory row range outside the memory',
  MAIN_RANGE: 'a main-memory byte range outside main memory',
  PC_RANGE: 'the next instruction would be fetched at PC ≥ imemWords (fell off the end, or a branch target)',
};

/** Vector-ALU functions (field `fn` of opcode VALU), index = code. */
export const VALU_FNS = ['mov', 'add', 'sub', 'mul', 'max', 'min', 'clamp', 'relu', 'relubwd', 'sra'] as const;

// ---- shared field layouts -------------------------------------------------------------------
const f = (name: string, lsb: number, width: number, kind: FieldKind, doc: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  name, lsb, width, kind, doc, ...extra,
});

const OP = {
  NOP: 0, HALT: 1, ADDI: 2, ADD: 3, SUB: 4, BEQ: 5, BNE: 6, BLT: 7, BGE: 8, JMP: 9, CFG: 10, FENCE: 11,
  LD: 16, ST: 17, MM: 20, DRAIN: 21, VALU: 24, RQ: 25, SGD: 26,
} as const;

const rd = f('rd', 54, 4, 'reg', 'destination register');
const rs = f('rs', 50, 4, 'reg', 'source register');
const rt = f('rt', 46, 4, 'reg', 'second source register');
const imm32 = f('imm', 0, 32, 'simm', 'signed 32-bit immediate');
const brRs = f('rs', 54, 4, 'reg', 'first compared register');
const brRt = f('rt', 50, 4, 'reg', 'second compared register');
const target = f('target', 0, 16, 'target', 'absolute instruction address');

// DMA: local address, main address, rows, elements per row.
const dmaFields: readonly FieldSpec[] = [
  f('mem', 56, 2, 'mem', 'local memory', { mems: ['sp', 'acc', 'grad'] }),
  f('lreg', 52, 4, 'reg', 'local row base register'),
  f('loff', 38, 14, 'uimm', 'local row offset'),
  f('mreg', 34, 4, 'reg', 'main byte-address base register'),
  f('moff', 16, 18, 'uimm', 'main byte offset'),
  f('rows', 8, 8, 'count', 'rows to move, 1..256'),
  f('elems', 0, 8, 'count', 'elements per row, 1..256 (≤ W)'),
];
const localAddr = { type: 'addr', mem: { field: 'mem' }, reg: 'lreg', imm: 'loff' } as const;
const mainAddr = { type: 'addr', mem: { fixed: 'main' }, reg: 'mreg', imm: 'moff' } as const;

// Vector-unit layout: destination, source, row count.
const vDst = (mems: readonly MemName[] | null): FieldSpec[] => [
  ...(mems ? [f('dmem', 52, 2, 'mem', 'destination memory', { mems })] : []),
  f('dreg', 48, 4, 'reg', 'destination row base register'),
  f('doff', 34, 14, 'uimm', 'destination row offset'),
];
const vSrc = (mems: readonly MemName[] | null): FieldSpec[] => [
  ...(mems ? [f('smem', 32, 2, 'mem', 'source memory', { mems })] : []),
  f('sreg', 28, 4, 'reg', 'source row base register'),
  f('soff', 14, 14, 'uimm', 'source row offset'),
];
const vCount = f('count', 0, 12, 'count', 'rows to process, 1..4096 (all W lanes of each row)');

const VALU_SEMANTICS: Readonly<Record<(typeof VALU_FNS)[number], string>> = {
  mov: 'd = s',
  add: 'd = d + s (int32, wrapping)',
  sub: 'd = d − s (int32, wrapping)',
  mul: 'd = rshift_nearest(d × sext16(s), VSHIFT) (exact 48-bit product, result wraps to int32)',
  max: 'd = max(d, s)',
  min: 'd = min(d, s)',
  clamp: 'd = min(max(s, CLAMP_LO), CLAMP_HI)',
  relu: 'd = max(s, 0)',
  relubwd: 'd = s > 0 ? d : 0 (ReLU backward: keep the gradient where the activation is positive)',
  sra: 'd = rshift_nearest(s, VSHIFT)',
};

const VPU_COMMON =
  'Processes `count` rows, all W lanes each, one row a cycle (⌈W / vpu.lanes⌉ cycles a row with a narrow vector unit). Reads of sp sign-extend int8; writes to sp saturate to int8. ' +
  'Destination and source in the same memory must either start at the same row or not overlap (BAD_OPERAND). ';

function valu(fn: (typeof VALU_FNS)[number]): InstrSpec {
  return {
    mnemonic: `v${fn}`,
    opcode: OP.VALU,
    fixed: { fn: VALU_FNS.indexOf(fn) },
    fields: [
      f('fn', 54, 4, 'enum', 'vector-ALU function', { values: VALU_FNS }),
      ...vDst(['sp', 'acc', 'grad']),
      ...vSrc(['sp', 'acc', 'grad']),
      vCount,
    ],
    operands: [
      { type: 'addr', mem: { field: 'dmem' }, reg: 'dreg', imm: 'doff' },
      { type: 'addr', mem: { field: 'smem' }, reg: 'sreg', imm: 'soff' },
      { type: 'imm', field: 'count' },
    ],
    options: [],
    unit: 'vpu',
    summary: `vector ALU: ${VALU_SEMANTICS[fn]}`,
    semantics: VPU_COMMON + `Element-wise ${VALU_SEMANTICS[fn]}, with d the destination and s the source element.`,
  };
}

export const ISA: readonly InstrSpec[] = [
  {
    mnemonic: 'nop', opcode: OP.NOP, fields: [], operands: [], options: [], unit: 'ctrl',
    summary: 'do nothing for one issue slot', semantics: 'No effect.',
  },
  {
    mnemonic: 'halt', opcode: OP.HALT, fields: [], operands: [], options: [], unit: 'ctrl',
    summary: 'wait for every unit to finish, then stop',
    semantics: 'Issues once every unit is idle or in its last busy cycle; the chip is halted from the next cycle on.',
  },
  {
    mnemonic: 'addi', opcode: OP.ADDI, fields: [rd, rs, imm32], operands: [{ type: 'reg', field: 'rd' }, { type: 'reg', field: 'rs' }, { type: 'imm', field: 'imm' }],
    options: [], unit: 'ctrl', summary: 'rd = rs + imm', semantics: 'rd = rs + imm (32-bit wrapping). `li rd, imm` is written `addi rd, r0, imm`.',
  },
  {
    mnemonic: 'add', opcode: OP.ADD, fields: [rd, rs, rt], operands: [{ type: 'reg', field: 'rd' }, { type: 'reg', field: 'rs' }, { type: 'reg', field: 'rt' }],
    options: [], unit: 'ctrl', summary: 'rd = rs + rt', semantics: 'rd = rs + rt (32-bit wrapping).',
  },
  {
    mnemonic: 'sub', opcode: OP.SUB, fields: [rd, rs, rt], operands: [{ type: 'reg', field: 'rd' }, { type: 'reg', field: 'rs' }, { type: 'reg', field: 'rt' }],
    options: [], unit: 'ctrl', summary: 'rd = rs − rt', semantics: 'rd = rs − rt (32-bit wrapping).',
  },
  ...(['beq', 'bne', 'blt', 'bge'] as const).map((m): InstrSpec => ({
    mnemonic: m,
    opcode: m === 'beq' ? OP.BEQ : m === 'bne' ? OP.BNE : m === 'blt' ? OP.BLT : OP.BGE,
    fields: [brRs, brRt, target],
    operands: [{ type: 'reg', field: 'rs' }, { type: 'reg', field: 'rt' }, { type: 'imm', field: 'target' }],
    options: [],
    unit: 'ctrl',
    summary: `branch to target if rs ${m === 'beq' ? '==' : m === 'bne' ? '!=' : m === 'blt' ? '<' : '>='} rt (signed)`,
    semantics: 'A taken branch costs one bubble cycle more than falling through (L + 1 cycles to its target, L = controller.stages). A target outside instruction memory stops the chip with PC_RANGE.',
  })),
  {
    mnemonic: 'jmp', opcode: OP.JMP, fields: [target], operands: [{ type: 'imm', field: 'target' }], options: [], unit: 'ctrl',
    summary: 'jump to target', semantics: 'Always taken: one bubble cycle more than falling through.',
  },
  {
    mnemonic: 'cfg', opcode: OP.CFG,
    fields: [f('reg', 52, 6, 'enum', 'configuration register', { values: CFG_REGS }), f('rs', 48, 4, 'reg', 'value base register'), imm32],
    operands: [{ type: 'enum', field: 'reg' }, { type: 'reg', field: 'rs' }, { type: 'imm', field: 'imm' }],
    options: [], unit: 'ctrl', summary: 'configuration register = rs + imm',
    semantics: 'Writes rs + imm to a configuration register. Units latch the configuration they use when an instruction issues, so a later cfg never changes work in flight. Shifts outside 0..47, ROUND outside 0..1 and strides outside 0..16383 (LSTRIDE, TSTRIDE) stop the chip with BAD_OPERAND. SEED also resets the RNG element counter.',
  },
  {
    mnemonic: 'fence', opcode: OP.FENCE, fields: [f('mask', 0, 4, 'uimm', 'units to wait for: DMA=1 MXU=2 DRN=4 VPU=8')],
    operands: [{ type: 'imm', field: 'mask' }], options: [], unit: 'ctrl', summary: 'wait until the masked units are idle',
    semantics: 'Issues once every unit in the mask is idle or in its last busy cycle.',
  },
  {
    mnemonic: 'ld', opcode: OP.LD, fields: dmaFields, operands: [localAddr, mainAddr, { type: 'imm', field: 'rows' }, { type: 'imm', field: 'elems' }],
    options: [], unit: 'dma', summary: 'DMA main → local, 2-D strided',
    semantics: 'For r < rows, e < elems: local[row + r][e] = element e of the row at main byte address (mreg + moff + r·DMA_STRIDE). sp elements are 1 byte, acc/grad elements 4 bytes little-endian. Lanes ≥ elems are untouched. Takes rows·⌈elems·size/B⌉ + 3 cycles (B = dma.bytesPerCycle). elems > W is ILLEGAL_INSTRUCTION.',
  },
  {
    mnemonic: 'st', opcode: OP.ST, fields: dmaFields, operands: [mainAddr, localAddr, { type: 'imm', field: 'rows' }, { type: 'imm', field: 'elems' }],
    options: [], unit: 'dma', summary: 'DMA local → main, 2-D strided',
    semantics: 'Inverse of ld with the same timing: element e of local row (row + r) goes to main (mreg + moff + r·DMA_STRIDE + e·size).',
  },
  {
    mnemonic: 'mm', opcode: OP.MM,
    fields: [
      f('lreg', 54, 4, 'reg', 'left operand base register'), f('loff', 40, 14, 'uimm', 'left operand row offset'),
      f('treg', 36, 4, 'reg', 'top operand base register'), f('toff', 22, 14, 'uimm', 'top operand row offset'),
      f('k', 10, 12, 'count', 'reduction steps K, 1..4096'),
      f('bank', 3, 1, 'flag', 'PE accumulator bank'), f('acc', 2, 1, 'flag', '1: keep accumulating; 0: start from zero'),
      f('tl', 1, 1, 'flag', 'left operand transposed'), f('tt', 0, 1, 'flag', 'top operand transposed'),
    ],
    operands: [
      { type: 'addr', mem: { fixed: 'sp' }, reg: 'lreg', imm: 'loff' },
      { type: 'addr', mem: { fixed: 'sp' }, reg: 'treg', imm: 'toff' },
      { type: 'imm', field: 'k' },
    ],
    options: ['bank', 'acc', 'tl', 'tt'],
    unit: 'mxu',
    summary: 'bank[i][j] (+)= Σₖ L(i,k)·T(k,j) on the R×C array',
    semantics: 'Streams K steps through the array, one a cycle. L(i,k) = sp[l + k][i], or with tl=1 sp[l + ⌊k/W⌋·LSTRIDE + i][k mod W]; T(k,j) = sp[t + k][j], or with tt=1 sp[t + ⌊k/W⌋·TSTRIDE + j][k mod W]. acc=0 clears the bank first. Matmuls stream back to back; a drain of the bank waits until the array has flushed (flushCycles after the last step).',
  },
  {
    mnemonic: 'drain', opcode: OP.DRAIN,
    fields: [
      f('mem', 56, 2, 'mem', 'destination memory', { mems: ['acc', 'grad'] }),
      f('dreg', 52, 4, 'reg', 'destination row base register'), f('doff', 38, 14, 'uimm', 'destination row offset'),
      f('bank', 3, 1, 'flag', 'PE accumulator bank'), f('add', 2, 1, 'flag', '1: add into the destination; 0: overwrite'),
      f('t', 1, 1, 'flag', 'transpose: write array column j to row d + j'),
    ],
    operands: [{ type: 'addr', mem: { field: 'mem' }, reg: 'dreg', imm: 'doff' }],
    options: ['bank', 'add', 't'],
    unit: 'drn',
    summary: 'PE accumulator bank → acc or grad rows (overwrite or add), optionally transposed',
    semantics: 'Without t: dst[d + i][j] (+)= bank[i][j] for i < R, j < C (R rows). With t: dst[d + j][i] (+)= bank[i][j] (C rows). Other lanes untouched. Takes (t ? C : R) + 2 cycles. Waits for the bank to flush.',
  },
  ...VALU_FNS.map(valu),
  {
    mnemonic: 'rq', opcode: OP.RQ,
    fields: [...vDst(null), ...vSrc(['acc', 'grad']), f('relu', 12, 1, 'flag', 'apply ReLU after requantizing'), vCount],
    operands: [
      { type: 'addr', mem: { fixed: 'sp' }, reg: 'dreg', imm: 'doff' },
      { type: 'addr', mem: { field: 'smem' }, reg: 'sreg', imm: 'soff' },
      { type: 'imm', field: 'count' },
    ],
    options: ['relu'],
    unit: 'vpu',
    summary: 'requantize int32 → int8: sat8(rshift(x·QMUL, QSHIFT)), optional ReLU',
    semantics: VPU_COMMON + 'y = sat8(rshift_ROUND(x × sext16(QMUL), QSHIFT)); with relu, y = max(y, 0). rshift rounds to nearest (half up) or stochastically (ROUND=1, RNG element n0 + row·W + lane). Advances the RNG counter by count·W.',
  },
  {
    mnemonic: 'sgd', opcode: OP.SGD,
    fields: [...vDst(null), ...vSrc(null), f('clear', 12, 1, 'flag', 'zero the gradient rows afterwards'), vCount],
    operands: [
      { type: 'addr', mem: { fixed: 'sp' }, reg: 'dreg', imm: 'doff' },
      { type: 'addr', mem: { fixed: 'grad' }, reg: 'sreg', imm: 'soff' },
      { type: 'imm', field: 'count' },
    ],
    options: ['clear'],
    unit: 'vpu',
    summary: 'SGD: W = sat8(W − rshift(G·LR_MUL, LR_SHIFT)), optionally clear G',
    semantics: VPU_COMMON + 'W (sp) = sat8(W − rshift_ROUND(G × sext16(LR_MUL), LR_SHIFT)) with G from grad; with clear, G = 0 afterwards. Stochastic rounding (ROUND=1) makes small gradients move weights in expectation. Advances the RNG counter by count·W.',
  },
];

export const OPCODES = OP;

/** Look up an instruction by mnemonic. */
export const ISA_BY_MNEMONIC: ReadonlyMap<string, InstrSpec> = new Map(ISA.map((i) => [i.mnemonic, i]));
