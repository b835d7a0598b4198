/** The training compiler: model spec + ChipConfig → ISA programs for training steps and inference. */
export { parseModelSpec, mlp, ModelSpecError, type ModelSpec, type DenseLayer } from './model.js';
export { geometry, actOffset, type Geometry } from './geometry.js';
export { chooseScheme, fixedMul, type QuantScheme, type LayerScales, type FixedMul, type SchemeOptions } from './scales.js';
export { planMemory, mainLayout, maxStepsPerRun, FitError, type TrainPlan, type MainLayout, type ProgramKind } from './plan.js';
export { compileProgram, type CompiledProgram, type CompileOptions } from './program.js';
