/**
 * Loss curves as a self-contained SVG (hand-written text, no dependencies): axes with ticks, axis
 * labels, a legend and a title. Per-step losses are noisy, so each series is drawn as a faint raw
 * line under its moving average.
 */

export interface Series {
  readonly name: string;
  readonly values: readonly number[];
  readonly color: string;
}

export interface PlotOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Moving-average window in points (default: ~1/40 of the points, at least 1). */
  readonly smooth?: number;
  /** Vertical markers with labels, e.g. epoch boundaries (x in points). */
  readonly markers?: readonly { readonly x: number; readonly label: string }[];
  readonly width?: number;
  readonly height?: number;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Round numbers for axis ticks: about `n` steps of 1, 2 or 5 × 10^k. */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function movingAverage(v: readonly number[], w: number): number[] {
  const out: number[] = [];
  let s = 0;
  for (let i = 0; i < v.length; i++) {
    s += v[i]!;
    if (i >= w) s -= v[i - w]!;
    out.push(s / Math.min(i + 1, w));
  }
  return out;
}

const fmt = (v: number): string =>
  Number.isInteger(v) && Math.abs(v) < 1e7 ? String(v) : Math.abs(v) >= 1e7 || (v !== 0 && Math.abs(v) < 0.01) ? v.toExponential(1) : String(Number(v.toPrecision(3)));

export function lineChartSvg(series: readonly Series[], o: PlotOptions): string {
  const W = o.width ?? 720;
  const H = o.height ?? 420;
  const m = { l: 70, r: 20, t: 40, b: 55 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const n = Math.max(1, ...series.map((s) => s.values.length));
  const w = o.smooth ?? Math.max(1, Math.round(n / 40));
  const smoothed = series.map((s) => movingAverage(s.values, w));
  // Scale to the smoothed curves: single noisy steps would squash them; raw lines are clipped.
  const all = smoothed.flat().filter(Number.isFinite);
  const yMax = all.length ? Math.max(...all) * 1.05 : 1;
  const yTicks = niceTicks(0, yMax > 0 ? yMax : 1);
  const yTop = yTicks[yTicks.length - 1]! >= yMax ? yTicks[yTicks.length - 1]! : yMax;
  const xTicks = niceTicks(0, n);
  const X = (i: number): number => m.l + (n <= 1 ? 0 : (i / (n - 1)) * pw);
  const Y = (v: number): number => m.t + ph - (v / (yTop || 1)) * ph;
  const path = (v: readonly number[]): string =>
    v.map((y, i) => `${i === 0 ? 'M' : 'L'}${X(i).toFixed(1)},${Y(Math.max(0, y)).toFixed(1)}`).join(' ');
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(o.title)}</text>`);
  // grid and ticks
  for (const t of yTicks) {
    const y = Y(t).toFixed(1);
    parts.push(`<line x1="${m.l}" y1="${y}" x2="${m.l + pw}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.l - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmt(t)}</text>`);
  }
  for (const t of xTicks) {
    const x = X(Math.min(t, n - 1)).toFixed(1);
    parts.push(`<line x1="${x}" y1="${m.t + ph}" x2="${x}" y2="${m.t + ph + 5}" stroke="#333"/>`);
    parts.push(`<text x="${x}" y="${m.t + ph + 18}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const mk of o.markers ?? []) {
    const x = X(Math.min(mk.x, n - 1)).toFixed(1);
    parts.push(`<line x1="${x}" y1="${m.t}" x2="${x}" y2="${m.t + ph}" stroke="#999" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${x}" y="${m.t - 4}" text-anchor="middle" fill="#666">${esc(mk.label)}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${m.l + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  // data: raw (faint) then smoothed
  parts.push(`<clipPath id="plot-area"><rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}"/></clipPath>`);
  series.forEach((s, i) => {
    if (s.values.length === 0) return;
    if (w > 1) parts.push(`<path d="${path(s.values)}" fill="none" stroke="${s.color}" stroke-opacity="0.18" stroke-width="1" clip-path="url(#plot-area)"/>`);
    parts.push(`<path d="${path(smoothed[i]!)}" fill="none" stroke="${s.color}" stroke-width="2" clip-path="url(#plot-area)"/>`);
  });
  // legend
  const lx = m.l + pw - 210;
  parts.push(`<rect x="${lx}" y="${m.t + 8}" width="200" height="${12 + 18 * series.length}" fill="white" fill-opacity="0.9" stroke="#ccc"/>`);
  series.forEach((s, i) => {
    const y = m.t + 24 + 18 * i;
    parts.push(`<line x1="${lx + 10}" y1="${y}" x2="${lx + 34}" y2="${y}" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 40}" y="${y}" dominant-baseline="middle">${esc(s.name)}</text>`);
  });
  if (w > 1) parts.push(`<text x="${m.l + 4}" y="${m.t + ph - 6}" fill="#666" font-size="10">lines: moving average over ${w} steps; faint: per step</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** The training-loss chart of `accelgen train --plot`. */
export function lossPlotSvg(int8: readonly number[], float: readonly number[], title: string, stepsPerEpoch: number): string {
  const markers = [];
  for (let e = 1; e * stepsPerEpoch < Math.max(int8.length, float.length); e++) markers.push({ x: e * stepsPerEpoch, label: `epoch ${e + 1}` });
  const series: Series[] = [{ name: 'int8 on chip', values: int8, color: '#d62728' }];
  if (float.length > 0) series.push({ name: 'float32 reference', values: float, color: '#1f77b4' });
  return lineChartSvg(series, { title, xLabel: 'training step', yLabel: 'loss ½·Σ(z − onehot)² per sample', markers });
}
