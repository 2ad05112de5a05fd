import { AlertPolicy, type AlertPolicyOptions } from '@vigil/detection';
import { type AlertCalibration } from '../model-metadata';
import { quantile } from './trainer';

const DAY_MS = 86_400_000;

/**
 * One patient's contiguous run of held-out normal windows, every due window in time order: the
 * model's reconstruction error of each and its time. A labelled episode (and its settling time)
 * splits a patient's held-out time into several runs.
 */
export interface ErrorSequence {
  readonly patientId: string;
  readonly at: ArrayLike<number>;
  readonly errors: ArrayLike<number>;
}

export interface CalibrationOptions {
  /** False alerts allowed per patient-day of normal data. */
  readonly budgetPerPatientDay: number;
  /** The scorer's alert policy (hysteresis, clearing, cooldown). */
  readonly policy: AlertPolicyOptions;
  /** Measurement time one window stands for (the scorer's stride, 5 s). */
  readonly windowMs: number;
  /** Candidate levels as quantiles of all errors, ascending (default p90 … p99.99). */
  readonly quantiles?: readonly number[];
}

export interface CalibrationCandidate {
  readonly quantile: number;
  readonly threshold: number;
  readonly alerts: number;
  readonly alertsPerPatientDay: number;
}

export interface CalibrationResult extends AlertCalibration {
  /** The chosen alert level (reconstruction error). */
  readonly alert: number;
  readonly candidates: readonly CalibrationCandidate[];
}

/** Beyond the quantiles, levels just above each of this many highest held-out errors. */
const TOP_ERRORS = 64;

/** p90 to p99 by 0.5 %, to p99.9 by 0.05 %, to p99.99 by 0.005 %. */
export const DEFAULT_CALIBRATION_QUANTILES: readonly number[] = [
  ...steps(0.9, 0.99, 0.005),
  ...steps(0.9905, 0.999, 0.0005),
  ...steps(0.99905, 0.9999, 0.00005),
];

/**
 * The lowest alert level at which the model alone, through the scorer's alert policy, raises at
 * most `budgetPerPatientDay` alerts per patient-day of normal data. Each run of windows gets its own
 * policy (severity 'low' when error ≥ level); every raised alert counts. When no candidate meets
 * the budget, the one with the fewest alerts (the highest) is chosen and `met` is false.
 */
export function calibrateAlertLevel(
  sequences: readonly ErrorSequence[],
  options: CalibrationOptions,
): CalibrationResult {
  const windows = sequences.reduce((n, s) => n + s.errors.length, 0);
  const patientDays = (windows * options.windowMs) / DAY_MS;
  const all = new Float64Array(windows);
  let o = 0;
  for (const s of sequences) for (let i = 0; i < s.errors.length; i++) all[o++] = s.errors[i];

  // Quantile levels, then just above each of the highest errors: with a few patient-days held out
  // the budget may allow fewer alerts than p99.99 gives, and the level must still be found.
  const sorted = Float64Array.from(all).sort();
  const levels: { q: number; threshold: number }[] = (options.quantiles ?? DEFAULT_CALIBRATION_QUANTILES).map(
    (q) => ({ q, threshold: quantile(all, q) }),
  );
  const top = levels.at(-1)?.threshold ?? -Infinity;
  for (let i = Math.max(0, sorted.length - TOP_ERRORS); i < sorted.length; i++)
    if (sorted[i] >= top && (i === sorted.length - 1 || sorted[i + 1] !== sorted[i]))
      levels.push({ q: (i + 1) / sorted.length, threshold: sorted[i] * (1 + 1e-6) + 1e-9 });
  const candidates: CalibrationCandidate[] = [];
  for (const { q, threshold } of levels) {
    const alerts = countAlerts(sequences, threshold, options.policy);
    candidates.push({
      quantile: q,
      threshold,
      alerts,
      alertsPerPatientDay: patientDays > 0 ? alerts / patientDays : 0,
    });
  }
  if (candidates.length === 0) throw new RangeError('no candidate quantiles');
  const chosen =
    candidates.find((c) => c.alertsPerPatientDay <= options.budgetPerPatientDay) ??
    candidates.reduce((best, c) => (c.alerts <= best.alerts ? c : best));
  return {
    alert: chosen.threshold,
    quantile: chosen.quantile,
    met: chosen.alertsPerPatientDay <= options.budgetPerPatientDay,
    budgetPerPatientDay: options.budgetPerPatientDay,
    alertsPerPatientDay: round(chosen.alertsPerPatientDay),
    alerts: chosen.alerts,
    patientDays: round(patientDays),
    windows,
    policy: { ...options.policy },
    candidates,
  };
}

/** Alerts the policy raises over every run when a window is abnormal at error ≥ `threshold`. */
export function countAlerts(
  sequences: readonly ErrorSequence[],
  threshold: number,
  policy: AlertPolicyOptions,
): number {
  let raised = 0;
  for (const s of sequences) {
    const p = new AlertPolicy(s.patientId, 'clinical', policy);
    for (let i = 0; i < s.errors.length; i++) {
      const t = p.step({
        at: s.at[i],
        severity: s.errors[i] >= threshold ? 'low' : null,
        vitals: [],
        reason: 'model',
        evidence: [],
      });
      if (t?.state === 'raised') raised++;
    }
  }
  return raised;
}

function steps(from: number, to: number, by: number): number[] {
  const n = Math.round((to - from) / by);
  return Array.from({ length: n + 1 }, (_, i) => round(from + i * by, 1e6));
}

function round(x: number, scale = 1e4): number {
  return Math.round(x * scale) / scale;
}
