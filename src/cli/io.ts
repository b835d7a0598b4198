import { mkdirSync, renameSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { CliError } from './errors.js';

/** Write a file atomically: a temporary file in the same folder, then rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Read a file or fail with a one-line CLI error naming it. */
export function readFileOrFail(path: string): Buffer {
  if (!existsSync(path)) throw new CliError(`${path}: no such file`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CliError(`${path}: cannot read (${(e as Error).message})`);
  }
}
