import { spawnSync } from 'node:child_process';

/** Is an executable on PATH (or at ACCELGEN_<NAME>)? Returns its path or null. */
export function findTool(name: string): string | null {
  const env = process.env[`ACCELGEN_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`];
  const cmd = env ?? name;
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? cmd : null;
}
