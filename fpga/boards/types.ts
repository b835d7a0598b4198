/**
 * Board records: the pins a board top needs (clock, UART, reset button, status LEDs), as plain data.
 * Constraint files (PCF/LPF) and the board top's port list are derived from these records, so a new
 * board is one new record (LiteX style), never a new code path.
 */

export type Family = 'ice40' | 'ecp5';

/** One package pin. */
export interface PinRecord {
  /** Package site: a number on QFN (iCE40 SG48, "35"), a ball on BGA ("J3", "G2"). */
  readonly site: string;
  /** True when the pin is asserted low (LED cathode to the FPGA, a button to ground). */
  readonly activeLow?: boolean;
  /** Pull resistor to enable in the IO cell (ECP5 PULLMODE; iCE40 PCF `-pullup yes`). */
  readonly pull?: 'up' | 'down' | 'none';
  /** ECP5 output drive in mA (LPF DRIVE=). */
  readonly drive?: number;
  /** What the pin is on the board, for the constraint file comment. */
  readonly label: string;
}

/** A pin the top drives to a constant so the board behaves (e.g. keep an on-board MCU from resetting the FPGA). */
export interface TiePin extends PinRecord {
  /** Port name in the board top. */
  readonly port: string;
  readonly value: 0 | 1;
  /** Why the tie exists (goes into the generated Verilog and constraint file). */
  readonly why: string;
}

/** The status LEDs the board top drives (docs/fpga.md "LEDs"). */
export interface BoardLeds {
  /** Chip running (STATUS bit 0). */
  readonly busy: PinRecord;
  /** Chip halted (STATUS bit 1). */
  readonly halted: PinRecord;
  /** Chip stopped with an error code ≠ 0, or the UART bridge saw a bad frame. */
  readonly error: PinRecord;
  /** Blinks ~1 Hz while the bitstream runs (absent on boards with too few LEDs). */
  readonly alive?: PinRecord;
}

export interface BoardRecord {
  /** Stable id, e.g. `icebreaker`. */
  readonly name: string;
  readonly title: string;
  readonly family: Family;
  /** Where the pin facts come from (published board files). */
  readonly sources: readonly string[];
  /** IO standard for every pin on ECP5 boards (LPF IO_TYPE); iCE40 banks are fixed by the board. */
  readonly ioStandard?: string;
  readonly clock: PinRecord & {
    /** Oscillator frequency in MHz. */
    readonly mhz: number;
  };
  readonly uart: {
    /** FPGA receives here (the USB-UART chip's TXD). */
    readonly rx: PinRecord;
    /** FPGA transmits here (the USB-UART chip's RXD). */
    readonly tx: PinRecord;
  };
  /** A user button used as reset, if the board has one. */
  readonly reset?: PinRecord;
  readonly leds: BoardLeds;
  readonly ties: readonly TiePin[];
}
