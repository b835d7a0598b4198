/** Random program generation and lockstep comparison of two ChipBackends (DESIGN.md §4). */
export { Rng, mixSeed } from './rng.js';
export { generateProgram, FAULT_KINDS, GeneratorBug, type FaultKind, type GenerateOptions, type GeneratedProgram, type ExpectedOutcome } from './generator.js';
export { randomMemoryInit, writeInit, type MemoryInit, type WriteInitOptions } from './memory-init.js';
export { lockstep, compareRun, type LockstepOptions, type LockstepResult } from './lockstep.js';
export type { Mismatch, MismatchKind, MemLocation, MemoryName, FieldValue } from './compare.js';
export { formatMismatch, describeWord, type Disassemble, type ReportContext } from './report.js';
export { PerturbedBackend, type Perturbation } from './perturb.js';
export { verify, programFor, checkOutcome, type BackendFactory, type VerifyOptions, type VerifySummary, type ProgramRun, type ProgramFailure } from './verify.js';
export { coverageOf, requiredFeatures, type Coverage } from './coverage.js';
export { checkWord, type StaticState, type Interval, type Verdict } from './footprint.js';
export { ContractChecker, unitDuration, type ContractViolation } from './contract.js';
