import { type ModelMetadata, type Normalisation } from './model-metadata';

/**
 * Turns raw windows (B×T×F vitals in model feature order, NaN = missing) into the model input
 * (B×T×2F: normalised values, then a 1/0 observed mask). A gap is filled with the last observed
 * value (or the next one at the start of a window, or the mean when a feature is absent), but the
 * mask tells the model, and the score, that it was not measured.
 */
export function prepareWindows(
  rawWindows: Float32Array,
  count: number,
  T: number,
  norm: Normalisation,
  out?: Float32Array,
): Float32Array {
  const F = norm.mean.length;
  if (rawWindows.length < count * T * F)
    throw new RangeError(`expected ${count}×${T}×${F} values, got ${rawWindows.length}`);
  const raw = norm.smoothing?.some((k) => k > 1)
    ? smoothWindows(rawWindows, count, T, norm.smoothing)
    : rawWindows;
  const x = out ?? new Float32Array(count * T * 2 * F);
  for (let b = 0; b < count; b++) {
    for (let f = 0; f < F; f++) {
      const mean = norm.mean[f];
      const std = norm.std[f];
      let last = NaN;
      // First observed value, for back-filling the start of the window.
      for (let t = 0; t < T; t++) {
        const v = raw[(b * T + t) * F + f];
        if (Number.isFinite(v)) {
          last = (v - mean) / std;
          break;
        }
      }
      if (Number.isNaN(last)) last = 0;
      for (let t = 0; t < T; t++) {
        const v = raw[(b * T + t) * F + f];
        const o = (b * T + t) * 2 * F;
        if (Number.isFinite(v)) {
          last = (v - mean) / std;
          x[o + F + f] = 1;
        } else x[o + F + f] = 0;
        x[o + f] = last;
      }
    }
  }
  return x;
}

/**
 * Trailing mean over the last `spans[f]` samples of each window (observed values only; NaN when
 * none was observed). Works inside each window so training and scoring see the same thing.
 */
export function smoothWindows(
  raw: Float32Array,
  count: number,
  T: number,
  spans: readonly number[],
): Float32Array {
  const F = spans.length;
  const out = raw.slice(0, count * T * F);
  for (let b = 0; b < count; b++)
    for (let f = 0; f < F; f++) {
      const k = spans[f];
      if (!(k > 1)) continue;
      let sum = 0;
      let n = 0;
      for (let t = 0; t < T; t++) {
        const v = raw[(b * T + t) * F + f];
        if (Number.isFinite(v)) {
          sum += v;
          n++;
        }
        if (t >= k) {
          const old = raw[(b * T + t - k) * F + f];
          if (Number.isFinite(old)) {
            sum -= old;
            n--;
          }
        }
        out[(b * T + t) * F + f] = n > 0 ? sum / n : NaN;
      }
    }
  return out;
}

export interface WindowScores {
  /** B anomaly scores: masked reconstruction MSE in normalised units. */
  readonly scores: Float32Array;
  /** B×F: each feature's share of the score (they sum to the score), so an alert can name the vital. */
  readonly contributions: Float32Array;
}

/**
 * Masked reconstruction error: only measured values count, imputed ones never do. With `weights`,
 * each feature's squared error counts that much (0: not scored) and only scored features' values
 * count as measured.
 */
export function maskedErrors(
  input: Float32Array,
  reconstruction: Float32Array,
  count: number,
  T: number,
  F: number,
  weights?: readonly number[],
): WindowScores {
  const scores = new Float32Array(count);
  const contributions = new Float32Array(count * F);
  const sums = new Float64Array(F);
  const w = weights ?? new Array<number>(F).fill(1);
  for (let b = 0; b < count; b++) {
    sums.fill(0);
    let observed = 0;
    for (let t = 0; t < T; t++) {
      const o = (b * T + t) * 2 * F;
      const r = (b * T + t) * F;
      for (let f = 0; f < F; f++) {
        if (input[o + F + f] === 0 || w[f] === 0) continue;
        const d = reconstruction[r + f] - input[o + f];
        sums[f] += w[f] * d * d;
        observed++;
      }
    }
    const n = Math.max(observed, 1);
    let total = 0;
    for (let f = 0; f < F; f++) {
      contributions[b * F + f] = sums[f] / n;
      total += sums[f];
    }
    scores[b] = total / n;
  }
  return { scores, contributions };
}

/**
 * Scores raw windows with any engine's `reconstruct` (TF.js or ONNX): normalise and mask, reconstruct,
 * then the masked error. The engines differ only in how they run the network.
 */
export async function scoreWindows(
  metadata: ModelMetadata,
  windows: Float32Array,
  count: number,
  reconstruct: (input: Float32Array, count: number) => Promise<Float32Array>,
): Promise<WindowScores> {
  const { windowSize: T, features, scoreWeights } = metadata.config;
  if (count === 0) return { scores: new Float32Array(0), contributions: new Float32Array(0) };
  const input = prepareWindows(windows, count, T, metadata.normalisation);
  return maskedErrors(input, await reconstruct(input, count), count, T, features.length, scoreWeights);
}
