import {
  evaluateEvents,
  type EvaluatedAlert,
  type LabelledEpisode,
  type MatchOptions,
  type MonitoredPatient,
} from './event-metrics';
import { percentile } from './stats';

export interface Interval {
  readonly low: number | null;
  readonly high: number | null;
}

export interface EventIntervals {
  readonly recall: Interval;
  readonly precision: Interval;
  readonly falseAlertsPerPatientDay: Interval;
}

export interface BootstrapOptions {
  readonly resamples: number;
  readonly seed: number;
  /** Two-sided level, e.g. 0.95. */
  readonly level: number;
}

/** mulberry32: a small seeded generator, so the same inputs give the same intervals. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Percentile bootstrap over patients: resample the patients with replacement (a patient drawn
 * twice counts twice, with all its episodes and alerts), recompute the event metrics, and take
 * the central `level` of each figure. Patients, not episodes, are the unit: one patient's
 * episodes and alerts are not independent of each other.
 */
export function bootstrapEventIntervals(
  patients: readonly MonitoredPatient[],
  episodes: readonly LabelledEpisode[],
  alerts: readonly EvaluatedAlert[],
  match: MatchOptions,
  options: BootstrapOptions,
): EventIntervals {
  const random = mulberry32(options.seed);
  const episodesOf = new Map(
    patients.map((p) => [p.patientId, episodes.filter((e) => e.patientId === p.patientId)]),
  );
  const alertsOf = new Map(
    patients.map((p) => [p.patientId, alerts.filter((a) => a.patientId === p.patientId)]),
  );
  const recall: number[] = [];
  const precision: number[] = [];
  const falsePerDay: number[] = [];
  for (let r = 0; r < options.resamples; r++) {
    const ps: MonitoredPatient[] = [];
    const es: LabelledEpisode[] = [];
    const as: EvaluatedAlert[] = [];
    for (let k = 0; k < patients.length; k++) {
      const p = patients[Math.floor(random() * patients.length)];
      const id = `${p.patientId}#${k}`;
      ps.push({ ...p, patientId: id });
      for (const e of episodesOf.get(p.patientId) ?? []) es.push({ ...e, patientId: id });
      for (const a of alertsOf.get(p.patientId) ?? []) as.push({ ...a, patientId: id });
    }
    const report = evaluateEvents(ps, es, as, match);
    if (report.recall !== null) recall.push(report.recall);
    if (report.precision !== null) precision.push(report.precision);
    if (report.falseAlertsPerPatientDay !== null) falsePerDay.push(report.falseAlertsPerPatientDay);
  }
  const tail = ((1 - options.level) / 2) * 100;
  const interval = (xs: number[]): Interval => ({
    low: percentile(xs, tail),
    high: percentile(xs, 100 - tail),
  });
  return {
    recall: interval(recall),
    precision: interval(precision),
    falseAlertsPerPatientDay: interval(falsePerDay),
  };
}
