import type { Command } from 'commander';

/**
 * Every CLI command, in help order. A command module exports `register(program)`; add new commands
 * here (one line each) so the command files stay independent of each other.
 */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [];
