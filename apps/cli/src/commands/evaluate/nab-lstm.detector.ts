import { errorsToAnomalyScores, probationaryLength, type NabDetector } from '@vigil/evaluation';

export interface LstmNabOptions {
  readonly window: number;
  readonly units: number;
  readonly epochs: number;
  readonly seed: number;
}

const DEFAULTS: LstmNabOptions = { window: 16, units: 8, epochs: 15, seed: 1 };

/**
 * Vigil's LSTM autoencoder (the same network, masked loss, trainer and window preparation as
 * `vigil train`, from @vigil/model) trained per NAB series on its probationary rows — one
 * feature instead of seven vitals, a 16-sample window instead of 60, 8 units instead of 32,
 * since a NAB series gives at most 750 rows to learn from. Its reconstruction error is judged
 * against the series' own running error, as the linear variant's is.
 */
export class LstmAutoencoderNabDetector implements NabDetector {
  readonly name = 'vigilLstmAE';
  readonly description: string;
  private readonly options: LstmNabOptions;

  constructor(options: Partial<LstmNabOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
    const o = this.options;
    this.description = `univariate LSTM autoencoder (@vigil/model trainer; T=${o.window}, ${o.units} units, ≤${o.epochs} epochs, seed ${o.seed}) trained per series on its probationary rows (80/20 split); error z-scored against its own running history`;
  }

  async detect(values: readonly number[]): Promise<Float64Array> {
    // Loaded on demand: TF.js is only needed when this detector runs.
    const { initTfBackend, maskedErrors, prepareWindows, reconstruct, trainAutoencoder } =
      await import('@vigil/model');
    await initTfBackend();
    const T = this.options.window;
    const n = values.length;
    const train = Math.max(probationaryLength(n), Math.min(n, 8 * T));
    if (n < T + 10) return new Float64Array(n);
    const head = values.slice(0, train);
    const mean = head.reduce((s, v) => s + v, 0) / head.length;
    const std = Math.sqrt(head.reduce((s, v) => s + (v - mean) ** 2, 0) / head.length) || 1;
    const normalisation = { mean: [mean], std: [std] };
    const windows = (from: number, to: number) => {
      const out = new Float32Array((to - from) * T);
      for (let t = from; t < to; t++)
        for (let k = 0; k < T; k++) out[(t - from) * T + k] = values[t - T + 1 + k];
      return out;
    };
    // Windows ending inside the training rows: the first 80 % train, the last 20 % validate.
    const cut = T - 1 + Math.floor((train - T + 1) * 0.8);
    const trained = await trainAutoencoder(
      {
        train: windows(T - 1, cut),
        trainCount: cut - T + 1,
        validation: windows(cut, train),
        validationCount: train - cut,
        normalisation,
      },
      {
        config: { windowSize: T, features: ['hr'], units: this.options.units },
        seed: this.options.seed,
        epochs: this.options.epochs,
        patience: 3,
        batchSize: 64,
        learningRate: 0.01,
      },
    );
    try {
      const count = n - T + 1;
      const input = prepareWindows(windows(T - 1, n), count, T, normalisation);
      const { scores } = maskedErrors(
        input,
        await reconstruct(trained.model, input, count, T, 1),
        count,
        T,
        1,
      );
      const errors = new Float64Array(n).fill(NaN);
      errors.set(scores, T - 1);
      return errorsToAnomalyScores(errors, { halfLife: 500, log: false, minHistory: T });
    } finally {
      trained.model.dispose();
    }
  }
}
