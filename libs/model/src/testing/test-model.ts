import { VITALS, type Vital } from '@vigil/contracts';
import { buildAutoencoder } from '../autoencoder';
import {
  MODEL_FORMAT,
  ONNX_MODEL_FILE,
  TFJS_MODEL_FILE,
  type AutoencoderConfig,
  type ModelMetadata,
} from '../model-metadata';
import { saveModelFolder } from '../model-store';
import { ONNX_OPSET } from '../onnx-export';
import { initTfBackend } from '../tf-backend';
import { Random } from '@vigil/simulator';

const TYPICAL: Record<Vital, [number, number]> = {
  hr: [70, 12],
  spo2: [97, 1.5],
  rr: [15, 3],
  temp: [36.7, 0.4],
  sbp: [120, 15],
  dbp: [75, 9],
  steps: [0.3, 0.8],
};

/** Spec helper: an untrained, seeded model folder with plausible normalisation. */
export async function writeSeededModel(
  dir: string,
  seed: number,
  config: Partial<AutoencoderConfig> = {},
): Promise<ModelMetadata> {
  const full: AutoencoderConfig = { windowSize: 20, features: [...VITALS], units: 8, ...config };
  const metadata: ModelMetadata = {
    format: MODEL_FORMAT,
    formatVersion: 1,
    name: 'test',
    createdAt: '2026-01-01T00:00:00.000Z',
    config: full,
    rateHz: 1,
    normalisation: {
      mean: full.features.map((v) => TYPICAL[v][0]),
      std: full.features.map((v) => TYPICAL[v][1]),
    },
    thresholds: { p95: 1, p99: 2, p999: 3, alert: 2 },
    training: {
      seed,
      dataSha256: '',
      recording: { seed, patients: 0, durationMs: 0, rateHz: 1 },
      stride: 1,
      windows: { train: 0, validation: 0, excludedForEpisodes: 0 },
      epochs: 0,
      bestEpoch: 0,
      batchSize: 1,
      learningRate: 0,
      backend: 'none',
      seconds: 0,
      history: [],
    },
    metrics: { trainLoss: 0, valLoss: 0, valScoreMean: 0, valScoreMedian: 0 },
    versions: { vigil: 'test', tfjs: 'test', onnxOpset: ONNX_OPSET, onnxruntime: 'test' },
    files: { tfjs: TFJS_MODEL_FILE, onnx: ONNX_MODEL_FILE },
  };
  await initTfBackend();
  const model = buildAutoencoder(full, seed);
  await saveModelFolder(dir, model, metadata);
  model.dispose();
  return metadata;
}

/** Seeded raw windows around typical vitals, with some values missing (NaN). */
export function randomWindows(
  seed: number,
  count: number,
  T: number,
  F: number,
  missing = 0.1,
): Float32Array {
  const rng = new Random(seed);
  const centre = [70, 97, 15, 36.7, 120, 75, 0.3];
  const spread = [15, 2, 4, 0.5, 20, 10, 1];
  const out = new Float32Array(count * T * F);
  for (let i = 0; i < out.length; i++) {
    const f = i % F;
    out[i] = rng.chance(missing) ? NaN : rng.normal(centre[f % centre.length], spread[f % spread.length]);
  }
  return out;
}
