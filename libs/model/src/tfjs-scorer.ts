import { type ModelMetadata } from './model-metadata';
import { loadTfjsModel, readMetadata } from './model-store';
import { initTfBackend, tf, type TfBackend } from './tf-backend';
import { scoreWindows, type WindowScores } from './window-prep';
import { type WindowScorer } from './window-scorer';

/** The reference engine: the TF.js Layers model itself, on the best backend this machine has. */
export class TfjsScorer implements WindowScorer {
  readonly engine = 'tfjs' as const;
  readonly description: string;

  constructor(
    readonly metadata: ModelMetadata,
    private readonly model: tf.LayersModel,
    readonly backend: string,
  ) {
    this.description = `tfjs ${tf.version.tfjs} (${backend})`;
  }

  /** The reconstruction for already-prepared input (B×T×2F); no tensors outlive the call. */
  async reconstruct(input: Float32Array, count: number): Promise<Float32Array> {
    const { windowSize: T, features } = this.metadata.config;
    const y = tf.tidy(
      () => this.model.predictOnBatch(tf.tensor3d(input, [count, T, 2 * features.length])) as tf.Tensor,
    );
    try {
      return (await y.data()) as Float32Array;
    } finally {
      y.dispose();
    }
  }

  score(windows: Float32Array, count: number): Promise<WindowScores> {
    return scoreWindows(this.metadata, windows, count, (input, n) => this.reconstruct(input, n));
  }

  dispose(): Promise<void> {
    this.model.dispose();
    return Promise.resolve();
  }
}

export async function loadTfjsScorer(
  dir: string,
  options: { backend?: TfBackend } = {},
): Promise<TfjsScorer> {
  const backend = await initTfBackend(options.backend);
  const [metadata, model] = await Promise.all([readMetadata(dir), loadTfjsModel(dir)]);
  return new TfjsScorer(metadata, model, backend);
}
