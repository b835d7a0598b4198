import type { BoardRecord } from './types.js';

/**
 * Radiona ULX3S v2.x/v3.x (LFE5U-25F or -85F, CABGA381, speed 6), the board of `ecp5-25f` and `ecp5-85f`.
 *
 * Pin facts from the board's own constraint file, emard/ulx3s doc/constraints/ulx3s_v20.lpf:
 * clk_25mhz G2; ftdi_rxd L4 ("FPGA transmits to ftdi"), ftdi_txd M1 ("FPGA receives from ftdi");
 * led[0..7] B2 C2 C1 D2 D1 E2 E1 H3; btn[1] FIRE1 R1 (PULLMODE=DOWN, active high); wifi_gpio0 L2.
 * litex-hub/litex-boards litex_boards/platforms/radiona_ulx3s.py agrees (clk25 G2, rst R1, serial tx L4 /
 * rx M1, user_led B2 … H3; "-6BG381C").
 */
export const ULX3S: BoardRecord = {
  name: 'ulx3s',
  title: 'Radiona ULX3S (ECP5 LFE5U, CABGA381)',
  family: 'ecp5',
  sources: [
    'emard/ulx3s doc/constraints/ulx3s_v20.lpf',
    'litex-hub/litex-boards litex_boards/platforms/radiona_ulx3s.py',
  ],
  ioStandard: 'LVCMOS33',
  clock: { site: 'G2', mhz: 25, pull: 'none', label: '25 MHz oscillator (clk_25mhz)' },
  uart: {
    rx: { site: 'M1', pull: 'up', label: 'ftdi_txd: FT231X → FPGA' },
    tx: { site: 'L4', pull: 'up', drive: 4, label: 'ftdi_rxd: FPGA → FT231X' },
  },
  reset: { site: 'R1', pull: 'down', label: 'button FIRE1 (btn[1])' },
  leds: {
    busy: { site: 'B2', drive: 4, label: 'led[0]' },
    halted: { site: 'C2', drive: 4, label: 'led[1]' },
    error: { site: 'C1', drive: 4, label: 'led[2]' },
    alive: { site: 'H3', drive: 4, label: 'led[7]' },
  },
  ties: [
    {
      port: 'wifi_gpio0',
      site: 'L2',
      value: 1,
      drive: 4,
      label: 'ESP32 GPIO0',
      // The ESP32 can reconfigure the FPGA; holding GPIO0 high keeps it from rebooting into its
      // bootloader and resetting the board (the usual ULX3S practice).
      why: 'hold ESP32 GPIO0 high so the ESP32 does not reboot the board',
    },
  ],
};
