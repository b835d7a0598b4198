/** The cycle-accurate simulator of the chip (docs/simulator.md). */
export { Simulator, STATE_IDLE, STATE_RUNNING, STATE_DRAINING, STATE_HALTED } from './simulator.js';
export { ChipMemories } from './memory.js';
export { VcdWriter, runWithVcd, type VcdOptions } from './vcd.js';
export { writeMainInt8, readMainInt8, writeMainInt32, readMainInt32, writeLocalMatrix, readLocalMatrix } from './tensors.js';
