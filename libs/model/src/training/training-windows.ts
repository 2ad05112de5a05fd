import { VITALS, type Vital } from '@vigil/contracts';
import {
  DEFAULT_DETECTION_OPTIONS,
  type DetectionOptions,
  modelWindowsOf,
  recentSlotsWithin,
} from '@vigil/detection';
import { type RecordedSample, type Recording, type RecordingEpisode } from '@vigil/simulator';
import { type Normalisation } from '../model-metadata';
import { smoothWindows } from '../window-prep';

export interface WindowingOptions {
  readonly features: readonly Vital[];
  readonly windowSize: number;
  /** Seconds between training windows; rounded to a whole number of the scorer's due windows (5 s). */
  readonly stride: number;
  /** Fraction of each patient's time, at the end, held out for validation and threshold calibration. */
  readonly validationFraction: number;
  /** Normal data resumes this long after a labelled episode ends (physiology settles). */
  readonly settleMs?: number;
  /** Trailing-mean span per feature (see Normalisation.smoothing). */
  readonly smoothing?: readonly number[];
  /** The scorer's detection settings (window stride, cadence, activity, clock); default: the pipeline's. */
  readonly detection?: DetectionOptions;
}

/** One patient's contiguous run of held-out normal windows, every due window, in time order. */
export interface HeldOutRun {
  readonly patientId: string;
  /** Index of the run's first window in `heldOut`. */
  readonly first: number;
  readonly at: readonly number[];
}

export interface TrainingWindows {
  /** W×T×F model input (residual vitals, raw steps; NaN = missing), ready for prepareWindows. */
  readonly train: Float32Array;
  /** The held-out windows at the training stride: for the validation loss and early stopping. */
  readonly validation: Float32Array;
  readonly trainCount: number;
  readonly validationCount: number;
  /** Window end times, in the order of `train` and `validation`. */
  readonly trainAt: readonly number[];
  readonly validationAt: readonly number[];
  /** Every held-out normal window (one per scorer stride), for calibrating the alert level. */
  readonly heldOut: Float32Array;
  readonly heldOutCount: number;
  readonly heldOutRuns: readonly HeldOutRun[];
  /** Windows at the training stride left out for overlapping an episode or its settling time. */
  readonly excludedForEpisodes: number;
  /** Mean and std of every observed value in the training part. */
  readonly normalisation: Normalisation;
}

/**
 * Normal-only windows from a labelled recording, exactly as the scorer would feed them: each
 * patient's samples go through the detection pipeline's own monitor (`modelWindowsOf`: windowing,
 * artefact filter, sensor checks, personal baselines by context), so vitals are deviations from the
 * patient's usual and steps are raw counts. Windows overlapping a labelled episode (clinical or
 * technical) or within `settleMs` after one are left out; confounders (exercise, artefacts) stay.
 * The last `validationFraction` of each patient's time is held out (no window straddles the split).
 * Training keeps every k-th due window (k = stride / the scorer's stride); held-out keeps all.
 */
export function buildTrainingWindows(
  labels: Pick<Recording, 'patients' | 'episodes'>,
  samplesByPatient: ReadonlyMap<string, readonly RecordedSample[]>,
  options: WindowingOptions,
): TrainingWindows {
  const { features, windowSize: T } = options;
  const F = features.length;
  const base = options.detection ?? DEFAULT_DETECTION_OPTIONS;
  const detection = {
    ...base,
    windowLength: T,
    recentSlots: recentSlotsWithin(base.recentSlots, T),
    model: { alertError: 1, residualInput: true },
  };
  const cadence = detection.cadenceMs;
  const every = Math.max(1, Math.round(options.stride / detection.strideSlots));
  const settle = options.settleMs ?? 120_000;
  const index = features.map((v) => VITALS.indexOf(v));
  if (index.some((i) => i < 0)) throw new RangeError(`features ${features.join(',')} are not all vitals`);
  const episodes = new Map<string, RecordingEpisode[]>();
  for (const e of labels.episodes) episodes.set(e.patientId, [...(episodes.get(e.patientId) ?? []), e]);

  const train = new WindowList(T * F);
  const validation = new WindowList(T * F);
  const heldOut = new WindowList(T * F);
  const runs: HeldOutRun[] = [];
  let excluded = 0;
  for (const patient of labels.patients) {
    const samples = samplesByPatient.get(patient.patientId) ?? [];
    if (samples.length === 0) continue;
    const split =
      samples[0].ts + (samples[samples.length - 1].ts - samples[0].ts) * (1 - options.validationFraction);
    const eps = episodes.get(patient.patientId) ?? [];
    let run: { patientId: string; first: number; at: number[] } | null = null;
    let due = 0;
    for (const w of modelWindowsOf(detection, samples)) {
      const strided = due++ % every === 0;
      // The window holds the slots at − (T−1)·cadence … at.
      const from = w.at - (T - 1) * cadence;
      const to = w.at + cadence;
      if (eps.some((e) => e.start < to && e.end + settle > from)) {
        if (strided) excluded++;
        run = null;
        continue;
      }
      const picked = pick(w.input, index, T);
      if (to <= split) {
        if (strided) train.push(picked, w.at);
      } else if (from >= split) {
        if (strided) validation.push(picked, w.at);
        if (!run) {
          run = { patientId: patient.patientId, first: heldOut.count, at: [] };
          runs.push(run);
        }
        run.at.push(w.at);
        heldOut.push(picked, w.at);
      }
    }
  }

  const trainData = train.data();
  const smoothing = options.smoothing;
  return {
    train: trainData,
    validation: validation.data(),
    trainCount: train.count,
    validationCount: validation.count,
    trainAt: train.at,
    validationAt: validation.at,
    heldOut: heldOut.data(),
    heldOutCount: heldOut.count,
    heldOutRuns: runs,
    excludedForEpisodes: excluded,
    normalisation: smoothing?.some((k) => k > 1)
      ? {
          ...normalisationOf(smoothWindows(trainData, train.count, T, smoothing), F),
          smoothing: [...smoothing],
        }
      : normalisationOf(trainData, F),
  };
}

/** The model's features out of a T×7 pipeline window (VITALS order), in model feature order. */
function pick(input: Float32Array, index: readonly number[], T: number): Float32Array {
  const V = VITALS.length;
  const F = index.length;
  if (F === V && index.every((v, f) => v === f)) return input;
  const out = new Float32Array(T * F);
  for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) out[t * F + f] = input[t * V + index[f]];
  return out;
}

/** Windows collected one by one into a W×T×F block. */
class WindowList {
  private readonly chunks: Float32Array[] = [];
  readonly at: number[] = [];

  constructor(private readonly length: number) {}

  get count(): number {
    return this.at.length;
  }

  push(window: Float32Array, at: number): void {
    this.chunks.push(window);
    this.at.push(at);
  }

  data(): Float32Array {
    const out = new Float32Array(this.chunks.length * this.length);
    this.chunks.forEach((c, i) => out.set(c, i * this.length));
    return out;
  }
}

/** Per-feature mean and std of the observed (non-NaN) values; std never below a small floor. */
export function normalisationOf(data: Float32Array, F: number): Normalisation {
  const n = new Float64Array(F);
  const sum = new Float64Array(F);
  const sq = new Float64Array(F);
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (Number.isNaN(x)) continue;
    const f = i % F;
    n[f]++;
    sum[f] += x;
    sq[f] += x * x;
  }
  const mean = Array.from(sum, (s, f) => (n[f] > 0 ? s / n[f] : 0));
  const std = Array.from(sq, (s, f) => (n[f] > 1 ? Math.sqrt(Math.max(s / n[f] - mean[f] ** 2, 0)) : 1));
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return { mean: mean.map(round), std: std.map((s) => round(Math.max(s, 1e-3))) };
}

/** Windows picked at random without replacement (seeded), at most `max`. */
export function subsample(
  data: Float32Array,
  count: number,
  windowLength: number,
  max: number,
  random: () => number,
): { data: Float32Array; count: number } {
  if (count <= max) return { data, count };
  const idx = Array.from({ length: count }, (_, i) => i);
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(random() * (count - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const chosen = idx.slice(0, max).sort((a, b) => a - b);
  const out = new Float32Array(max * windowLength);
  chosen.forEach((w, i) =>
    out.set(data.subarray(w * windowLength, (w + 1) * windowLength), i * windowLength),
  );
  return { data: out, count: max };
}
