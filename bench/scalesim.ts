import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from './sections.js';

/**
 * SCALE-Sim v3 on the same 8×8 output-stationary GEMM 256³, in the same benchmark run, so the speed
 * ratio is measured rather than quoted. Needs `bash scripts/install-bench-tools.sh` (.venv-bench).
 */
export function benchScaleSim(root: string, accelgenSeconds: number | null, accelgenCycles: number | null): BenchRow[] {
  const py = join(root, '.venv-bench', 'bin', 'python');
  if (!existsSync(py)) return [{ section: 'scalesim', metric: 'SCALE-Sim v3', value: 'not installed: bash scripts/install-bench-tools.sh', target: '' }];
  const out = mkdtempSync(join(tmpdir(), 'scalesim-'));
  const dir = join(root, 'bench', 'scalesim');
  const t0 = performance.now();
  const r = spawnSync(py, ['-m', 'scalesim.scale', '-c', join(dir, 'os8x8.cfg'), '-t', join(dir, 'gemm256.csv'), '-l', join(dir, 'layout.csv'), '-p', out, '-i', 'gemm', '-s', 'N'], { encoding: 'utf8', cwd: out });
  const seconds = (performance.now() - t0) / 1000;
  try {
    if (r.status !== 0) throw new Error(`scalesim failed: ${r.stderr.slice(-300)}`);
    const rep = readFileSync(join(out, 'accelgen_os8x8', 'COMPUTE_REPORT.csv'), 'utf8').trim().split('\n')[1]!.split(',');
    const cycles = Number(rep[1]);
    const rows: BenchRow[] = [
      { section: 'scalesim', metric: 'SCALE-Sim v3 GEMM 256³ on 8×8 OS: cycles (incl. prefetch), timing only', value: String(cycles), target: '' },
      { section: 'scalesim', metric: 'SCALE-Sim v3 wall time', value: `${seconds.toFixed(1)} s`, target: '' },
    ];
    if (accelgenSeconds !== null && accelgenCycles !== null) {
      rows.push({ section: 'scalesim', metric: 'accelgen sim speed-up over SCALE-Sim (same run, values computed too)', value: `${(seconds / accelgenSeconds).toFixed(0)}×`, target: '≥ 10×' });
      rows.push({ section: 'scalesim', metric: 'accelgen cycles / SCALE-Sim cycles', value: (accelgenCycles / cycles).toFixed(3), target: '≤ 1' });
    }
    return rows;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
