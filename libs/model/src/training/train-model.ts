import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VITALS, type Vital } from '@vigil/contracts';
import { DEFAULT_DETECTION_OPTIONS, type DetectionOptions } from '@vigil/detection';
import {
  LABELS_FILE,
  Random,
  readRecording,
  readSamplesByPatient,
  recordingSpan,
  SAMPLES_FILE,
} from '@vigil/simulator';
import * as ort from 'onnxruntime-node';
import { MODEL_FORMAT, ONNX_MODEL_FILE, TFJS_MODEL_FILE, type ModelMetadata } from '../model-metadata';
import { saveModelFolder } from '../model-store';
import { ONNX_OPSET } from '../onnx-export';
import { initTfBackend, tf, type TfBackend } from '../tf-backend';
import { maskedErrors, prepareWindows } from '../window-prep';
import { calibrateAlertLevel, type CalibrationResult, type ErrorSequence } from './calibrate';
import { trainingCurveSvg } from './training-curve';
import { buildTrainingWindows, subsample, type TrainingWindows } from './training-windows';
import { quantile, reconstruct, trainAutoencoder, type EpochResult } from './trainer';

export const TRAINING_CURVE_FILE = 'training-curve.svg';

const DEFAULT_SMOOTHING: Partial<Record<Vital, number>> = { steps: 15 };
/** Steps are context for the other vitals, not a sign of illness: they do not count in the score. */
const DEFAULT_SCORE_WEIGHTS: Partial<Record<Vital, number>> = { steps: 0 };

export interface TrainModelOptions {
  readonly recordingDir: string;
  /** The model folder to write, e.g. models/default. */
  readonly outDir: string;
  readonly name: string;
  readonly seed: number;
  readonly windowSize?: number;
  readonly units?: number;
  readonly features?: readonly Vital[];
  readonly stride?: number;
  readonly validationFraction?: number;
  readonly maxWindows?: number;
  readonly epochs?: number;
  readonly patience?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly backend?: TfBackend;
  /** Weight of each vital in the anomaly score; default 1, steps 0. */
  readonly scoreWeights?: Partial<Record<Vital, number>>;
  /** Trailing-mean span (samples) per vital before normalising; default: steps over 15 s. */
  readonly smoothing?: Partial<Record<Vital, number>>;
  /** False alerts per patient-day of held-out normal data the alert level may raise; default 0.5. */
  readonly budgetPerPatientDay?: number;
  /** The scorer's detection settings (windows, stride, alert policy); default: the pipeline's. */
  readonly detection?: DetectionOptions;
  /** Written into metadata.versions.vigil and the ONNX producer. */
  readonly version: string;
  readonly onStage?: (stage: string) => void;
  readonly onBatch?: (epoch: number, batch: number, batches: number, loss: number) => void;
  readonly onEpoch?: (epoch: EpochResult) => void;
  /** Held-out windows scored so far, for calibration. */
  readonly onScore?: (done: number, total: number) => void;
}

/** The trained model and how its alert level was calibrated (every candidate level). */
export interface TrainedModel {
  readonly metadata: ModelMetadata;
  readonly calibration: CalibrationResult;
}

/**
 * Recording → the pipeline's residual windows of normal data → trained autoencoder → alert level
 * calibrated to a false-alert budget on held-out normal data → model folder (TF.js, ONNX, metadata,
 * curve).
 */
export async function trainModel(options: TrainModelOptions): Promise<TrainedModel> {
  const t0 = Date.now();
  const features = [...(options.features ?? VITALS)];
  const config = {
    windowSize: options.windowSize ?? 60,
    units: options.units ?? 32,
    features,
    scoreWeights: features.map((v) => options.scoreWeights?.[v] ?? DEFAULT_SCORE_WEIGHTS[v] ?? 1),
    input: 'residual' as const,
  };
  const detection = options.detection ?? DEFAULT_DETECTION_OPTIONS;
  const budgetPerPatientDay = options.budgetPerPatientDay ?? 0.5;
  const stride = options.stride ?? 30;
  const backend = await initTfBackend(options.backend);

  options.onStage?.('reading recording');
  const [labels, samples, dataSha256] = await Promise.all([
    readRecording(options.recordingDir),
    readSamplesByPatient(options.recordingDir),
    hashRecording(options.recordingDir),
  ]);
  options.onStage?.('building windows');
  const windows = buildTrainingWindows(labels, samples, {
    features: config.features,
    windowSize: config.windowSize,
    stride,
    validationFraction: options.validationFraction ?? 0.4,
    smoothing: config.features.map((v) => options.smoothing?.[v] ?? DEFAULT_SMOOTHING[v] ?? 1),
    detection,
  });
  const rowLength = config.windowSize * config.features.length;
  const rng = new Random(options.seed);
  const maxWindows = options.maxWindows ?? 4000;
  const train = subsample(windows.train, windows.trainCount, rowLength, maxWindows, () => rng.next());
  const validation = subsample(
    windows.validation,
    windows.validationCount,
    rowLength,
    Math.ceil(maxWindows / 4),
    () => rng.next(),
  );

  options.onStage?.('training');
  const batchSize = options.batchSize ?? 64;
  const learningRate = options.learningRate ?? 2e-3;
  const trained = await trainAutoencoder(
    {
      train: train.data,
      trainCount: train.count,
      validation: validation.data,
      validationCount: validation.count,
      normalisation: windows.normalisation,
    },
    {
      config,
      seed: options.seed,
      epochs: options.epochs ?? 12,
      patience: options.patience ?? 3,
      batchSize,
      learningRate,
      onBatch: options.onBatch,
      onEpoch: options.onEpoch,
    },
  );

  options.onStage?.('calibrating the alert level');
  const scores = await scoreHeldOut(trained.model, config, windows, options.onScore);
  const thresholds = {
    p95: quantile(scores, 0.95),
    p99: quantile(scores, 0.99),
    p999: quantile(scores, 0.999),
  };
  const calibration = calibrateAlertLevel(
    windows.heldOutRuns.map((run): ErrorSequence => ({
      patientId: run.patientId,
      at: run.at,
      errors: scores.subarray(run.first, run.first + run.at.length),
    })),
    {
      budgetPerPatientDay,
      policy: detection.policy,
      windowMs: detection.strideSlots * detection.cadenceMs,
    },
  );
  const calibrationSummary = {
    budgetPerPatientDay: calibration.budgetPerPatientDay,
    alertsPerPatientDay: calibration.alertsPerPatientDay,
    alerts: calibration.alerts,
    patientDays: calibration.patientDays,
    windows: calibration.windows,
    quantile: calibration.quantile,
    met: calibration.met,
    policy: calibration.policy,
  };
  const mean = scores.reduce((a, b) => a + b, 0) / Math.max(scores.length, 1);
  const span = recordingSpan(labels);
  const metadata: ModelMetadata = {
    format: MODEL_FORMAT,
    formatVersion: 1,
    name: options.name,
    createdAt: new Date().toISOString(),
    config,
    rateHz: span.rateHz,
    normalisation: windows.normalisation,
    thresholds: { ...thresholds, alert: calibration.alert },
    calibration: calibrationSummary,
    training: {
      seed: options.seed,
      dataSha256,
      recording: {
        ...(labels.meta ? { seed: labels.meta.seed } : {}),
        patients: labels.patients.length,
        durationMs: span.durationMs,
        rateHz: span.rateHz,
      },
      stride,
      windows: {
        train: train.count,
        validation: validation.count,
        excludedForEpisodes: windows.excludedForEpisodes,
        heldOut: windows.heldOutCount,
      },
      epochs: trained.history.length,
      bestEpoch: trained.bestEpoch,
      batchSize,
      learningRate,
      backend,
      seconds: Math.round((Date.now() - t0) / 100) / 10,
      history: trained.history.map(({ epoch, loss, valLoss }) => ({ epoch, loss, valLoss })),
    },
    metrics: {
      trainLoss: trained.trainLoss,
      valLoss: trained.valLoss,
      valScoreMean: mean,
      valScoreMedian: quantile(scores, 0.5),
    },
    versions: {
      vigil: options.version,
      tfjs: tf.version.tfjs,
      onnxOpset: ONNX_OPSET,
      onnxruntime: ort.env.versions.common,
    },
    files: { tfjs: TFJS_MODEL_FILE, onnx: ONNX_MODEL_FILE },
  };
  options.onStage?.('writing model');
  await saveModelFolder(options.outDir, trained.model, metadata);
  await writeFile(
    join(options.outDir, TRAINING_CURVE_FILE),
    trainingCurveSvg(metadata.training.history, trained.bestEpoch, `${options.name}: training curve`),
  );
  trained.model.dispose();
  return { metadata, calibration };
}

/** Scores every held-out window with the trained model, as the scorer would (normalise, reconstruct, masked error). */
async function scoreHeldOut(
  model: tf.LayersModel,
  config: { windowSize: number; features: readonly Vital[]; scoreWeights: readonly number[] },
  windows: TrainingWindows,
  onScore?: (done: number, total: number) => void,
): Promise<Float32Array> {
  const T = config.windowSize;
  const F = config.features.length;
  const total = windows.heldOutCount;
  const scores = new Float32Array(total);
  const chunk = 2048;
  for (let from = 0; from < total; from += chunk) {
    const n = Math.min(chunk, total - from);
    const input = prepareWindows(
      windows.heldOut.subarray(from * T * F, (from + n) * T * F),
      n,
      T,
      windows.normalisation,
    );
    const recon = await reconstruct(model, input, n, T, F);
    scores.set(maskedErrors(input, recon, n, T, F, config.scoreWeights).scores, from);
    onScore?.(from + n, total);
  }
  return scores;
}

/** sha256 over samples.csv then labels.json: identifies the exact data a model learnt from. */
export async function hashRecording(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [SAMPLES_FILE, LABELS_FILE])
    for await (const chunk of createReadStream(join(dir, file))) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
