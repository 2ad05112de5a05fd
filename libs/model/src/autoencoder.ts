import { type AutoencoderConfig } from './model-metadata';
import { tf } from './tf-backend';

/**
 * The LSTM autoencoder: input T×2F (values + observed mask) → encoder LSTM → repeat T times →
 * decoder LSTM → per-step dense → T×F reconstruction of the values. Sigmoid gates (not TF.js's
 * default hard sigmoid) so the ONNX LSTM op computes exactly the same function.
 */
export function buildAutoencoder(config: AutoencoderConfig, seed: number): tf.LayersModel {
  const { windowSize: T, units: H } = config;
  const F = config.features.length;
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 16 + k });
  const input = tf.input({ shape: [T, 2 * F], name: 'input' });
  const encoded = tf.layers
    .lstm({
      units: H,
      recurrentActivation: 'sigmoid',
      kernelInitializer: init(1),
      recurrentInitializer: init(2),
      name: 'encoder',
    })
    .apply(input) as tf.SymbolicTensor;
  const repeated = tf.layers.repeatVector({ n: T, name: 'repeat' }).apply(encoded) as tf.SymbolicTensor;
  const decoded = tf.layers
    .lstm({
      units: H,
      returnSequences: true,
      recurrentActivation: 'sigmoid',
      kernelInitializer: init(3),
      recurrentInitializer: init(4),
      name: 'decoder',
    })
    .apply(repeated) as tf.SymbolicTensor;
  const output = tf.layers
    .timeDistributed({
      layer: tf.layers.dense({ units: F, kernelInitializer: init(5), name: 'dense' }),
      name: 'reconstruct',
    })
    .apply(decoded) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'vigil_lstm_ae' });
}

/** Masked MSE over a batch: input is B×T×2F (values, mask), reconstruction B×T×F. */
export function maskedLoss(input: tf.Tensor3D, reconstruction: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => {
    const [values, mask] = tf.split(input, 2, -1);
    const se = tf.mul(mask, tf.square(tf.sub(reconstruction, values)));
    return tf.div<tf.Scalar>(tf.sum(se), tf.maximum(tf.sum(mask), 1));
  });
}

/** The trained weights as plain arrays, in the layout the ONNX exporter reads. */
export interface AutoencoderWeights {
  readonly config: AutoencoderConfig;
  /** Keras layout: kernel [I, 4H], recurrent [H, 4H], bias [4H], gates i, f, c, o. */
  readonly encoder: LstmWeights;
  readonly decoder: LstmWeights;
  /** [H, F] and [F]. */
  readonly dense: { readonly kernel: Float32Array; readonly bias: Float32Array };
}
export interface LstmWeights {
  readonly kernel: Float32Array;
  readonly recurrent: Float32Array;
  readonly bias: Float32Array;
}

export function extractWeights(model: tf.LayersModel, config: AutoencoderConfig): AutoencoderWeights {
  const values = (name: string) =>
    model
      .getLayer(name)
      .getWeights()
      .map((w) => w.dataSync() as Float32Array);
  const [ek, er, eb] = values('encoder');
  const [dk, dr, db] = values('decoder');
  const [k, b] = values('reconstruct');
  return {
    config,
    encoder: { kernel: ek, recurrent: er, bias: eb },
    decoder: { kernel: dk, recurrent: dr, bias: db },
    dense: { kernel: k, bias: b },
  };
}
