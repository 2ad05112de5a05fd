import {
  evaluateEvents,
  type EvaluatedAlert,
  type LabelledEpisode,
  type MatchOptions,
  type MonitoredPatient,
} from './event-metrics';

/** One scored window of one patient: `score` is null/NaN when the detector could not score it. */
export interface ScorePoint {
  readonly patientId: string;
  readonly at: number;
  readonly score: number | null;
}

export interface RisingEdgeOptions {
  /** No new alert for the same patient sooner than this after the last one. */
  readonly cooldownMs: number;
}

/**
 * Alerts from a raw score at one threshold: an alert starts where the score crosses up through the
 * threshold (a run of windows at or above it), at most one per cooldown. No hysteresis beyond
 * that — this is the score's own event-level quality, the ceiling an alert policy trades from.
 * Unscored windows (null/NaN) count as below the threshold.
 */
export function alertsFromScores(
  points: readonly ScorePoint[],
  threshold: number,
  options: RisingEdgeOptions,
): EvaluatedAlert[] {
  return risingEdges(byPatientThenTime(points), threshold, options);
}

function byPatientThenTime(points: readonly ScorePoint[]): ScorePoint[] {
  return [...points].sort((a, b) =>
    a.patientId === b.patientId ? a.at - b.at : a.patientId < b.patientId ? -1 : 1,
  );
}

function risingEdges(
  sorted: readonly ScorePoint[],
  threshold: number,
  options: RisingEdgeOptions,
): EvaluatedAlert[] {
  const alerts: EvaluatedAlert[] = [];
  const state = new Map<string, { above: boolean; last: number }>();
  for (const p of sorted) {
    const s = state.get(p.patientId) ?? { above: false, last: -Infinity };
    const above = p.score !== null && Number.isFinite(p.score) && p.score >= threshold;
    if (above && !s.above && p.at - s.last >= options.cooldownMs) {
      alerts.push({ patientId: p.patientId, at: p.at });
      s.last = p.at;
    }
    s.above = above;
    state.set(p.patientId, s);
  }
  return alerts;
}

export interface PrPoint {
  readonly threshold: number;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly falseAlertsPerPatientDay: number | null;
  readonly alerts: number;
}

/** `n` thresholds at evenly spaced quantiles of the finite scores (distinct, ascending). */
export function quantileThresholds(scores: readonly (number | null)[], n: number): number[] {
  const finite = scores.filter((s): s is number => s !== null && Number.isFinite(s)).sort((a, b) => a - b);
  if (finite.length === 0) return [];
  const out = new Set<number>();
  for (let i = 0; i < n; i++) {
    const q = n === 1 ? 1 : i / (n - 1);
    out.add(finite[Math.round(q * (finite.length - 1))]);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * Thresholds at quantiles 1 − ½·10^(−3i/(n−1)), i = 0…n−1 (from the median up to the 99.95th
 * percentile, log-spaced towards the tail): anomalies are rare windows, so evenly spaced quantiles
 * would spend most thresholds where every patient alerts all day.
 */
export function tailQuantileThresholds(scores: readonly (number | null)[], n: number): number[] {
  const finite = scores.filter((s): s is number => s !== null && Number.isFinite(s)).sort((a, b) => a - b);
  if (finite.length === 0) return [];
  const out = new Set<number>();
  for (let i = 0; i < n; i++) {
    const q = 1 - 0.5 * Math.pow(10, n === 1 ? 0 : (-3 * i) / (n - 1));
    out.add(finite[Math.min(finite.length - 1, Math.round(q * (finite.length - 1)))]);
  }
  return [...out].sort((a, b) => a - b);
}

/** Event precision/recall at each threshold, the same matching rules as `evaluateEvents`. */
export function precisionRecallCurve(
  points: readonly ScorePoint[],
  patients: readonly MonitoredPatient[],
  episodes: readonly LabelledEpisode[],
  thresholds: readonly number[],
  options: MatchOptions & RisingEdgeOptions,
): PrPoint[] {
  const sorted = byPatientThenTime(points); // once, not once per threshold
  return thresholds.map((threshold) => {
    const alerts = risingEdges(sorted, threshold, options);
    const r = evaluateEvents(patients, episodes, alerts, options);
    return {
      threshold,
      precision: r.precision,
      recall: r.recall,
      falseAlertsPerPatientDay: r.falseAlertsPerPatientDay,
      alerts: alerts.length,
    };
  });
}

/**
 * Average precision: Σ (Rₙ − Rₙ₋₁) · Pₙ over the curve ordered by recall (the step-wise area,
 * which does not reward interpolating between operating points that do not exist).
 */
export function averagePrecision(curve: readonly PrPoint[]): number | null {
  const pts = curve
    .filter(
      (p): p is PrPoint & { precision: number; recall: number } => p.precision !== null && p.recall !== null,
    )
    .sort((a, b) => a.recall - b.recall || b.precision - a.precision);
  if (pts.length === 0) return null;
  let area = 0;
  let prevRecall = 0;
  for (const p of pts) {
    area += (p.recall - prevRecall) * p.precision;
    prevRecall = p.recall;
  }
  return area;
}
