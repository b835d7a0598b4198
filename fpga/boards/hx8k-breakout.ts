import type { BoardRecord } from './types.js';

/**
 * Lattice iCE40-HX8K Breakout Board (iCE40HX8K-CT256), the board of target `ice40-hx8k`.
 *
 * Pin facts from two published board files that agree:
 *  - YosysHQ/icestorm examples/hx8kboard/hx8kboard.pcf: clk J3 (12 MHz), LED0..7 = B5 B4 A2 A1 C5 C4 B3 C3.
 *  - litex-hub/litex-boards (Lattice iCE40-HX8K breakout platform, "ice40-hx8k-ct256"): clk12 J3,
 *    serial rx B10 / tx B12 (FTDI FT2232H channel B), user_led 0..7 as above.
 * The board has no user push button, so reset comes from the power-on counter only.
 */
export const HX8K_BREAKOUT: BoardRecord = {
  name: 'hx8k-breakout',
  title: 'Lattice iCE40-HX8K Breakout Board (iCE40HX8K-CT256)',
  family: 'ice40',
  sources: [
    'YosysHQ/icestorm examples/hx8kboard/hx8kboard.pcf',
    'litex-hub/litex-boards: iCE40-HX8K breakout platform (ice40-hx8k-ct256)',
  ],
  clock: { site: 'J3', mhz: 12, label: '12 MHz oscillator' },
  uart: {
    rx: { site: 'B10', label: 'FTDI TXD → FPGA (RX)' },
    tx: { site: 'B12', label: 'FPGA → FTDI RXD (TX)' },
  },
  leds: {
    busy: { site: 'B5', label: 'LED0' },
    halted: { site: 'B4', label: 'LED1' },
    error: { site: 'A2', label: 'LED2' },
    alive: { site: 'C3', label: 'LED7' },
  },
  ties: [],
};
