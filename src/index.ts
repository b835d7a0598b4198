/** accelgen's library API. The CLI (src/cli) is a thin layer over these. */
export * from './config/index.js';
export * from './isa/index.js';
export { assemble, type AsmResult, type AsmOptions } from './isa/assembler.js';
export { disassemble } from './isa/disassembler.js';
export { formatHex, parseHex, hexConfigMismatch } from './isa/hex.js';
export { formatDiagnostic, type Diagnostic } from './isa/diagnostic.js';
export * from './host/backend.js';
export * from './numeric/arith.js';
export * from './sim/index.js';
export { compileGemm, referenceGemm, gemmLayout, FitError, type GemmShape, type GemmProgram, type GemmLayout } from './compiler/gemm.js';
export { runGemm, runLaunches, ChipFault, type GemmRunResult } from './compiler/gemm-run.js';
export { parseNpy, formatNpy, asInt8Matrix, NpyError, type NpyArray } from './io/npy.js';
