import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root (the folder with package.json), found from this file whether run from src or
 * dist. The one place that knows the layout: the CLI, the test bench and the FPGA flow all use it.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the accelgen package root');
    dir = up;
  }
}

/** A file shipped with the package (examples, rtl, …). */
export function packageFile(rel: string): string {
  return join(packageRoot(), rel);
}
