import { gaussianTail } from '../gaussian';

export interface ErrorScoringOptions {
  /** Half-life, in rows, of the running mean/variance of past errors. */
  readonly halfLife: number;
  /** Judge log(error) rather than the error. */
  readonly log: boolean;
  /** Errors to have seen before scoring (rows before then score 0). */
  readonly minHistory: number;
}

/**
 * Reconstruction errors (NaN where there is no window yet) → NAB anomaly scores in [0, 1]: Φ(z) of
 * each error against the exponentially weighted mean/variance of the errors before it, 0 for
 * errors below that mean. The stream's own usual error is the reference, as a patient's is in Vigil.
 */
export function errorsToAnomalyScores(errors: Float64Array, options: ErrorScoringOptions): Float64Array {
  const out = new Float64Array(errors.length);
  const alpha = 1 - Math.pow(0.5, 1 / options.halfLife);
  let m = 0;
  let v = 0;
  let seen = 0;
  for (let t = 0; t < errors.length; t++) {
    if (Number.isNaN(errors[t])) continue;
    const e = options.log ? Math.log(errors[t] + 1e-9) : errors[t];
    if (seen >= options.minHistory) {
      const sd = Math.sqrt(Math.max(v, 1e-12));
      out[t] = e > m ? 1 - gaussianTail(e, m, sd) : 0;
    }
    // Plain running mean/variance for the first rows, then exponential forgetting.
    seen++;
    const a = Math.max(alpha, 1 / seen);
    const delta = e - m;
    m += a * delta;
    v = (1 - a) * (v + a * delta * delta);
  }
  return out;
}
