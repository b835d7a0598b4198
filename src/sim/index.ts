export { Simulator, STATE_IDLE, STATE_RUNNING, STATE_DRAINING, STATE_HALTED } from './simulator.js';
export { ChipMemories } from './memory.js';
