import type { Command } from 'commander';
import { register as asm } from './asm.js';
import { register as disasm } from './disasm.js';
import { register as sim } from './sim.js';
import { register as gemm } from './gemm.js';
import { register as demo } from './demo.js';
import { register as docs } from './docs.js';
import { register as doctor } from './doctor.js';
import { register as generate } from './generate.js';
import { register as serveBoard } from './serve-board.js';
import { register as verify } from './verify.js';
import { register as train } from './train.js';
import { register as fpga } from './fpga.js';

/**
 * Every CLI command, in help order. A command module exports `register(program)`; add new commands
 * here (one line each) so the command files stay independent of each other.
 */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [asm, disasm, sim, gemm, demo, train, generate, verify, fpga, serveBoard, doctor, docs];
