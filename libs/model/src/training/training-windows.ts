import { type Vital } from '@vigil/contracts';
import { recordingSpan, type RecordedSample, type Recording, type RecordingEpisode } from '@vigil/simulator';
import { type Normalisation } from '../model-metadata';
import { smoothWindows } from '../window-prep';

export interface WindowingOptions {
  readonly features: readonly Vital[];
  readonly windowSize: number;
  readonly stride: number;
  /** Fraction of each patient's time, at the end, held out for validation and threshold calibration. */
  readonly validationFraction: number;
  /** Normal data resumes this long after a labelled episode ends (physiology settles). */
  readonly settleMs?: number;
  /** Trailing-mean span per feature (see Normalisation.smoothing). */
  readonly smoothing?: readonly number[];
}

export interface TrainingWindows {
  /** W×T×F raw vitals (NaN = missing), ready for prepareWindows. */
  readonly train: Float32Array;
  readonly validation: Float32Array;
  readonly trainCount: number;
  readonly validationCount: number;
  readonly excludedForEpisodes: number;
  /** Mean and std of every observed value in the training part. */
  readonly normalisation: Normalisation;
}

/**
 * Normal-only windows from a labelled recording: each patient's samples go on a grid at the
 * recording's rate; windows overlapping a labelled episode (clinical or technical) are left out.
 * The last `validationFraction` of each patient's time is validation, so no validation window
 * overlaps a training one.
 */
export function buildTrainingWindows(
  labels: Recording,
  samplesByPatient: ReadonlyMap<string, readonly RecordedSample[]>,
  options: WindowingOptions,
): TrainingWindows {
  const { features, windowSize: T, stride } = options;
  const F = features.length;
  const { startMs, durationMs, rateHz } = recordingSpan(labels);
  const periodMs = 1000 / rateHz;
  const steps = Math.floor(durationMs / periodMs);
  const splitStep = Math.floor(steps * (1 - options.validationFraction));
  const settle = options.settleMs ?? 120_000;
  const episodes = new Map<string, RecordingEpisode[]>();
  for (const e of labels.episodes) episodes.set(e.patientId, [...(episodes.get(e.patientId) ?? []), e]);

  const train: number[][] = [];
  const validation: number[][] = [];
  const grids: Float32Array[] = [];
  let excluded = 0;
  for (const patient of labels.patients) {
    const grid = new Float32Array(steps * F).fill(NaN);
    for (const s of samplesByPatient.get(patient.patientId) ?? []) {
      const k = Math.round((s.ts - startMs) / periodMs);
      if (k < 0 || k >= steps) continue;
      features.forEach((v, f) => {
        const x = s[v];
        if (x !== undefined) grid[k * F + f] = x;
      });
    }
    const gi = grids.push(grid) - 1;
    const eps = episodes.get(patient.patientId) ?? [];
    for (let k = 0; k + T <= steps; k += stride) {
      const from = startMs + k * periodMs;
      const to = from + T * periodMs;
      if (eps.some((e) => e.start < to && e.end + settle > from)) {
        excluded++;
        continue;
      }
      if (k + T <= splitStep) train.push([gi, k]);
      else if (k >= splitStep) validation.push([gi, k]);
    }
  }

  const gather = (list: number[][]) => {
    const out = new Float32Array(list.length * T * F);
    list.forEach(([gi, k], w) => out.set(grids[gi].subarray(k * F, (k + T) * F), w * T * F));
    return out;
  };
  const trainData = gather(train);
  return {
    train: trainData,
    validation: gather(validation),
    trainCount: train.length,
    validationCount: validation.length,
    excludedForEpisodes: excluded,
    normalisation: options.smoothing?.some((k) => k > 1)
      ? {
          ...normalisationOf(smoothWindows(trainData, train.length, T, options.smoothing), F),
          smoothing: [...options.smoothing],
        }
      : normalisationOf(trainData, F),
  };
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
