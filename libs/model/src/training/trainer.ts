import { Random } from '@vigil/simulator';
import { buildAutoencoder, maskedLoss } from '../autoencoder';
import { type AutoencoderConfig, type Normalisation } from '../model-metadata';
import { tf } from '../tf-backend';
import { maskedErrors, prepareWindows } from '../window-prep';

export interface TrainerOptions {
  readonly config: AutoencoderConfig;
  readonly seed: number;
  readonly epochs: number;
  /** Epochs without a better validation loss before stopping (the best weights are kept). */
  readonly patience: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly onBatch?: (epoch: number, batch: number, batches: number, loss: number) => void;
  readonly onEpoch?: (epoch: EpochResult) => void;
}

export interface TrainerData {
  readonly train: Float32Array;
  readonly trainCount: number;
  readonly validation: Float32Array;
  readonly validationCount: number;
  readonly normalisation: Normalisation;
}

export interface EpochResult {
  readonly epoch: number;
  readonly loss: number;
  readonly valLoss: number;
  readonly improved: boolean;
}

export interface TrainedAutoencoder {
  readonly model: tf.LayersModel;
  readonly history: readonly EpochResult[];
  readonly bestEpoch: number;
  readonly trainLoss: number;
  readonly valLoss: number;
  /** Scores of the validation windows under the best weights, for calibrating thresholds. */
  readonly valScores: Float32Array;
}

/**
 * Trains the autoencoder on normal windows with a masked MSE, Adam, seeded initial weights and a
 * seeded shuffle each epoch, so the same data and seed give the same model on the same backend.
 * Stops early on validation loss and restores the best epoch's weights.
 */
export async function trainAutoencoder(
  data: TrainerData,
  options: TrainerOptions,
): Promise<TrainedAutoencoder> {
  const { windowSize: T, features } = options.config;
  const F = features.length;
  const rowLength = T * 2 * F;
  if (data.trainCount === 0 || data.validationCount === 0)
    throw new RangeError('no training or validation windows: record a longer stretch of normal data');
  const train = prepareWindows(data.train, data.trainCount, T, data.normalisation);
  const validation = prepareWindows(data.validation, data.validationCount, T, data.normalisation);

  const model = buildAutoencoder(options.config, options.seed);
  const optimizer = tf.train.adam(options.learningRate);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const rng = new Random(options.seed ^ 0x5eed);
  const batches = Math.ceil(data.trainCount / options.batchSize);
  const order = Array.from({ length: data.trainCount }, (_, i) => i);
  const batch = new Float32Array(options.batchSize * rowLength);
  const history: EpochResult[] = [];
  let best: { loss: number; epoch: number; weights: tf.Tensor[] } | null = null;

  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      shuffle(order, rng);
      let lossSum = 0;
      for (let b = 0; b < batches; b++) {
        const from = b * options.batchSize;
        const n = Math.min(options.batchSize, data.trainCount - from);
        for (let i = 0; i < n; i++)
          batch.set(
            train.subarray(order[from + i] * rowLength, (order[from + i] + 1) * rowLength),
            i * rowLength,
          );
        const x = tf.tensor3d(batch.subarray(0, n * rowLength), [n, T, 2 * F]);
        const cost = optimizer.minimize(
          () => maskedLoss(x, model.apply(x, { training: true }) as tf.Tensor3D),
          true,
          variables,
        );
        const loss = cost ? (await cost.data())[0] : NaN;
        x.dispose();
        cost?.dispose();
        if (!Number.isFinite(loss))
          throw new Error(`training diverged at epoch ${epoch} (loss ${loss}); try a lower --lr`);
        lossSum += loss * n;
        options.onBatch?.(epoch, b + 1, batches, loss);
      }
      const valLoss = maskedMse(
        validation,
        await reconstruct(model, validation, data.validationCount, T, F),
        data.validationCount,
        T,
        F,
      );
      const improved = best === null || valLoss < best.loss - 1e-7;
      if (improved) {
        best?.weights.forEach((w) => w.dispose());
        best = { loss: valLoss, epoch, weights: model.getWeights().map((w) => w.clone()) };
      }
      const result = { epoch, loss: lossSum / data.trainCount, valLoss, improved };
      history.push(result);
      options.onEpoch?.(result);
      if (best && epoch - best.epoch >= options.patience) break;
    }
  } finally {
    optimizer.dispose();
  }
  if (!best) throw new Error('no epoch ran');
  model.setWeights(best.weights);
  best.weights.forEach((w) => w.dispose());
  const recon = await reconstruct(model, validation, data.validationCount, T, F);
  return {
    model,
    history,
    bestEpoch: best.epoch,
    trainLoss: history[best.epoch - 1].loss,
    valLoss: best.loss,
    valScores: maskedErrors(validation, recon, data.validationCount, T, F, options.config.scoreWeights)
      .scores,
  };
}

/** Reconstructions of prepared windows, 256 at a time. */
export async function reconstruct(
  model: tf.LayersModel,
  input: Float32Array,
  count: number,
  T: number,
  F: number,
): Promise<Float32Array> {
  const out = new Float32Array(count * T * F);
  for (let from = 0; from < count; from += 256) {
    const n = Math.min(256, count - from);
    const y = tf.tidy(
      () =>
        model.predict(tf.tensor3d(input.subarray(from * T * 2 * F, (from + n) * T * 2 * F), [n, T, 2 * F]), {
          batchSize: n,
        }) as tf.Tensor,
    );
    out.set(await y.data(), from * T * F);
    y.dispose();
  }
  return out;
}

/** Masked MSE over all windows together (the training loss, on held-out data). */
function maskedMse(input: Float32Array, recon: Float32Array, count: number, T: number, F: number): number {
  let se = 0;
  let n = 0;
  for (let i = 0; i < count * T; i++)
    for (let f = 0; f < F; f++)
      if (input[i * 2 * F + F + f] !== 0) {
        const d = recon[i * F + f] - input[i * 2 * F + f];
        se += d * d;
        n++;
      }
  return se / Math.max(n, 1);
}

function shuffle(a: number[], rng: Random): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}

/** Linear-interpolated quantile of unsorted values. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
