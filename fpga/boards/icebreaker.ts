import type { BoardRecord } from './types.js';

/**
 * 1BitSquared iCEBreaker (iCE40UP5K-SG48), the board of target `ice40-up5k`.
 *
 * Pin facts, cross-checked between two published board files:
 *  - YosysHQ/icestorm examples/icebreaker/icebreaker.pcf: CLK 35 (12 MHz), RX 6, TX 9, BTN_N 10,
 *    LEDR_N 11, LEDG_N 37, break-off PMOD2 LED1 27 … LED5 26.
 *  - litex-hub/litex-boards litex_boards/platforms/1bitsquared_icebreaker.py: clk12 "35",
 *    serial rx "6" / tx "9", user_led_n 11 / 37, user_btn_n 10, break-off LEDs on PMOD2.
 * The FTDI FT2232H channel B is the UART; RX/TX above are from the FPGA's side.
 */
export const ICEBREAKER: BoardRecord = {
  name: 'icebreaker',
  title: '1BitSquared iCEBreaker (iCE40UP5K-SG48)',
  family: 'ice40',
  sources: [
    'YosysHQ/icestorm examples/icebreaker/icebreaker.pcf',
    'litex-hub/litex-boards litex_boards/platforms/1bitsquared_icebreaker.py',
  ],
  clock: { site: '35', mhz: 12, label: '12 MHz oscillator (CLK)' },
  uart: {
    rx: { site: '6', label: 'FTDI TXD → FPGA (RX)' },
    tx: { site: '9', label: 'FPGA → FTDI RXD (TX)' },
  },
  reset: { site: '10', activeLow: true, pull: 'up', label: 'user button BTN_N' },
  leds: {
    // The two main-board LEDs are wired active low; the break-off PMOD LEDs are active high.
    busy: { site: '37', activeLow: true, label: 'green LED LEDG_N' },
    error: { site: '11', activeLow: true, label: 'red LED LEDR_N' },
    halted: { site: '27', label: 'PMOD2 LED1 (break-off board)' },
    alive: { site: '25', label: 'PMOD2 LED2 (break-off board)' },
  },
  ties: [],
};
