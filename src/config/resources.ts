/**
 * Bit layout of the interlock resource sets (docs/microarch.md §4), shared by the simulator, the
 * generated controller and the compilers' timing models so the three cannot drift apart:
 *   [4m+3 : 4m]  lock regions of local memory m (0 sp, 1 acc, 2 grad)
 *   [13 : 12]    PE accumulator banks 0, 1
 *   [16 : 14]    write port of memory m      (one unit writes a memory at a time)
 *   [19 : 17]    general read port of memory m (DMA `st` and the vector unit's source operand)
 * Port bits are only ever put in write sets, which makes them exclusive: two instructions that
 * need the same port conflict, whatever rows they touch.
 */
export const LOCK_REGIONS = 4;
export const RES_BITS = 20;
export const resBank = (bank: number): number => 1 << (3 * LOCK_REGIONS + bank);
export const resWritePort = (mem: number): number => 1 << (3 * LOCK_REGIONS + 2 + mem);
export const resReadPort = (mem: number): number => 1 << (3 * LOCK_REGIONS + 5 + mem);
