import { FpgaError } from '../errors.js';
import { HX8K_BREAKOUT } from './hx8k-breakout.js';
import { ICEBREAKER } from './icebreaker.js';
import type { BoardRecord } from './types.js';
import { ULX3S } from './ulx3s.js';

export type { BoardRecord, BoardLeds, PinRecord, TiePin, Family } from './types.js';

/** Every board accelgen knows, by id. */
export const BOARDS: Readonly<Record<string, BoardRecord>> = Object.freeze({
  [ICEBREAKER.name]: ICEBREAKER,
  [HX8K_BREAKOUT.name]: HX8K_BREAKOUT,
  [ULX3S.name]: ULX3S,
});

export const BOARD_NAMES: readonly string[] = Object.keys(BOARDS);

/** Look a board up by id; an unknown id is an FpgaError naming the known ones. */
export function getBoard(name: string): BoardRecord {
  const b = BOARDS[name];
  if (!b) throw new FpgaError('unknown-board', `unknown board ${JSON.stringify(name)}: expected one of ${BOARD_NAMES.join(', ')}`);
  return b;
}
