/** Loss and accuracy helpers shared by the int8 and float runs. */

/** Mean over samples of ½·Σ(z·scale − onehot)². */
export function mseLoss(z: ArrayLike<number>, scale: number, labels: ArrayLike<number>, samples: number, classes: number): number {
  let s = 0;
  for (let b = 0; b < samples; b++) {
    for (let o = 0; o < classes; o++) {
      const e = z[b * classes + o]! * scale - (labels[b] === o ? 1 : 0);
      s += 0.5 * e * e;
    }
  }
  return s / samples;
}

/** Fraction of samples whose largest logit (first on ties) is the label. */
export function accuracy(z: ArrayLike<number>, labels: ArrayLike<number>, samples: number, classes: number): number {
  let ok = 0;
  for (let b = 0; b < samples; b++) {
    let best = 0;
    for (let o = 1; o < classes; o++) if (z[b * classes + o]! > z[b * classes + best]!) best = o;
    if (best === labels[b]) ok++;
  }
  return samples === 0 ? 0 : ok / samples;
}
