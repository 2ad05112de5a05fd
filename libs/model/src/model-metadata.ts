import { type Vital } from '@vigil/contracts';

export const MODEL_FORMAT = 'vigil-lstm-autoencoder';
export const METADATA_FILE = 'metadata.json';
export const TFJS_MODEL_FILE = 'model.json';
export const TFJS_WEIGHTS_FILE = 'weights.bin';
export const ONNX_MODEL_FILE = 'model.onnx';

export interface Normalisation {
  /** Per feature, in `features` order: x' = (x - mean) / std. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /**
   * Per feature, a trailing-mean span in samples applied before normalising (absent or 1: none).
   * Per-second step counts are too bursty to reconstruct; a 15 s cadence is not.
   */
  readonly smoothing?: readonly number[];
}

export interface AutoencoderConfig {
  /** T: samples per window (1 Hz). */
  readonly windowSize: number;
  /** F: the vitals the model sees, in this order; its input has 2F channels (values, then the observed mask). */
  readonly features: readonly Vital[];
  /** LSTM width of encoder and decoder. */
  readonly units: number;
  /**
   * Per feature, its weight in the anomaly score (absent: all 1). Steps are context: the model sees
   * and reconstructs them, so it learns what activity explains, but walking is not an anomaly.
   */
  readonly scoreWeights?: readonly number[];
  /**
   * What a vital's value means to the model: `raw` (as measured) or `residual` (value − the
   * patient's usual in the current context, from the detection pipeline's baselines). Absent: raw.
   */
  readonly input?: 'raw' | 'residual';
}

/**
 * Anomaly-score levels calibrated on held-out normal windows: `p99` means 1 % of normal windows
 * score above it. The scorer turns scores into alerts (per-patient baseline, hysteresis) on top.
 */
export interface Thresholds {
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  /**
   * The level at which a window is abnormal for the model: calibrated to a false-alert budget on
   * held-out normal data (see `ModelMetadata.calibration`); older models: p99.
   */
  readonly alert: number;
}

/** How `thresholds.alert` was chosen: the model alone through the scorer's alert policy, on held-out normal data. */
export interface AlertCalibration {
  /** False alerts allowed per patient-day. */
  readonly budgetPerPatientDay: number;
  /** False alerts raised per patient-day at the chosen level. */
  readonly alertsPerPatientDay: number;
  readonly alerts: number;
  /** Held-out normal time scored (windows × the scorer's stride). */
  readonly patientDays: number;
  /** Held-out windows scored, every due window (5 s apart), in time order per patient. */
  readonly windows: number;
  /** The chosen level as a quantile of the held-out scores. */
  readonly quantile: number;
  /** False when no candidate level met the budget (the highest was taken). */
  readonly met: boolean;
  readonly policy: {
    readonly confirm: number;
    readonly of: number;
    readonly clear: number;
    readonly cooldownMs: number;
  };
}

export interface TrainingSummary {
  readonly seed: number;
  /** sha256 of the recording (samples.csv then labels.json). */
  readonly dataSha256: string;
  readonly recording: {
    /** The simulator's seed (absent for a recording that was not simulated). */
    readonly seed?: number;
    readonly patients: number;
    readonly durationMs: number;
    readonly rateHz: number;
    readonly path?: string;
  };
  readonly stride: number;
  readonly windows: {
    readonly train: number;
    readonly validation: number;
    readonly excludedForEpisodes: number;
    /** Held-out windows scored for calibration (every due window). */
    readonly heldOut?: number;
  };
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly backend: string;
  readonly seconds: number;
  readonly history: readonly { readonly epoch: number; readonly loss: number; readonly valLoss: number }[];
}

export interface ModelMetadata {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: 1;
  readonly name: string;
  readonly createdAt: string;
  readonly config: AutoencoderConfig;
  readonly rateHz: number;
  readonly normalisation: Normalisation;
  readonly thresholds: Thresholds;
  /** Absent in models trained before calibration to a false-alert budget. */
  readonly calibration?: AlertCalibration;
  readonly training: TrainingSummary;
  /** Final losses and the held-out score distribution. */
  readonly metrics: {
    readonly trainLoss: number;
    readonly valLoss: number;
    readonly valScoreMean: number;
    readonly valScoreMedian: number;
  };
  readonly versions: {
    readonly vigil: string;
    readonly tfjs: string;
    readonly onnxOpset: number;
    readonly onnxruntime: string;
  };
  readonly files: { readonly tfjs: string; readonly onnx: string };
}
