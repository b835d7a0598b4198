/**
 * Model descriptions the training compiler accepts: a multi-layer perceptron of dense layers without
 * bias, ReLU after every layer but the last, trained with an MSE loss on one-hot targets.
 *
 * Spec forms: the string `mlp:196-64-10`, or JSON `{"kind":"mlp","sizes":[196,64,10]}`.
 */

export interface DenseLayer {
  readonly inputs: number;
  readonly outputs: number;
  /** ReLU after this layer (every layer but the last). */
  readonly relu: boolean;
}

export interface ModelSpec {
  readonly kind: 'mlp';
  /** Layer widths, input first: [196, 64, 10]. */
  readonly sizes: readonly number[];
  readonly layers: readonly DenseLayer[];
  /** Canonical short form, e.g. `mlp:196-64-10`. */
  readonly name: string;
}

export class ModelSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelSpecError';
  }
}

/** Largest layer width: K of a matmul is ≤ 4096 and widths beyond this are not TinyML. */
export const MAX_WIDTH = 4096;

/** Build a model from its layer widths. */
export function mlp(sizes: readonly number[]): ModelSpec {
  if (sizes.length < 2) throw new ModelSpecError(`an mlp needs at least 2 widths (inputs and outputs), got ${sizes.length}`);
  sizes.forEach((n, i) => {
    if (!Number.isInteger(n) || n < 1 || n > MAX_WIDTH) {
      throw new ModelSpecError(`layer width ${i} must be an integer in 1..${MAX_WIDTH}, not ${String(n)}`);
    }
  });
  const layers = sizes.slice(1).map((out, i) => ({ inputs: sizes[i]!, outputs: out, relu: i < sizes.length - 2 }));
  return { kind: 'mlp', sizes: [...sizes], layers, name: `mlp:${sizes.join('-')}` };
}

/** Parse `mlp:196-64-10` or the JSON text of a model file. */
export function parseModelSpec(text: string): ModelSpec {
  const t = text.trim();
  if (t.startsWith('{')) {
    let j: unknown;
    try {
      j = JSON.parse(t);
    } catch (e) {
      throw new ModelSpecError(`model JSON does not parse: ${(e as Error).message}`);
    }
    const o = j as { kind?: unknown; sizes?: unknown };
    if (o.kind !== undefined && o.kind !== 'mlp') throw new ModelSpecError(`model kind must be "mlp", not ${JSON.stringify(o.kind)}`);
    if (!Array.isArray(o.sizes)) throw new ModelSpecError('model JSON needs "sizes": an array of layer widths, e.g. [196, 64, 10]');
    return mlp(o.sizes as number[]);
  }
  const m = /^mlp:(\d+(?:-\d+)+)$/.exec(t);
  if (!m) throw new ModelSpecError(`model spec ${JSON.stringify(text)}: expected mlp:IN-HIDDEN-...-OUT (e.g. mlp:196-64-10) or a JSON file`);
  return mlp(m[1]!.split('-').map(Number));
}
