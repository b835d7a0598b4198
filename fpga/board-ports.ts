import type { BoardRecord, PinRecord } from './boards/index.js';

/**
 * The board top's external ports, derived from a board record. The constraint file generators and
 * the board-top Verilog generator both read this list, so a port can never be constrained under one
 * name and declared under another.
 */
export type BoardPortRole = 'clock' | 'uart_rx' | 'uart_tx' | 'reset' | 'led_busy' | 'led_halted' | 'led_error' | 'led_alive' | 'tie';

export interface BoardPort {
  readonly name: string;
  readonly dir: 'input' | 'output';
  readonly role: BoardPortRole;
  readonly pin: PinRecord;
  /** For ties: the constant driven. */
  readonly value?: 0 | 1;
  /** For ties: why. */
  readonly why?: string;
}

/** Ports of the board top in a fixed, deterministic order. */
export function boardPorts(board: BoardRecord): BoardPort[] {
  const ports: BoardPort[] = [
    { name: 'clk_in', dir: 'input', role: 'clock', pin: board.clock },
    { name: 'uart_rx', dir: 'input', role: 'uart_rx', pin: board.uart.rx },
    { name: 'uart_tx', dir: 'output', role: 'uart_tx', pin: board.uart.tx },
  ];
  if (board.reset) ports.push({ name: 'rst_btn', dir: 'input', role: 'reset', pin: board.reset });
  ports.push({ name: 'led_busy', dir: 'output', role: 'led_busy', pin: board.leds.busy });
  ports.push({ name: 'led_halted', dir: 'output', role: 'led_halted', pin: board.leds.halted });
  ports.push({ name: 'led_error', dir: 'output', role: 'led_error', pin: board.leds.error });
  if (board.leds.alive) ports.push({ name: 'led_alive', dir: 'output', role: 'led_alive', pin: board.leds.alive });
  for (const t of board.ties) ports.push({ name: t.port, dir: 'output', role: 'tie', pin: t, value: t.value, why: t.why });
  return ports;
}
