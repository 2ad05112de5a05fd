import type { Vital } from './vitals';

/** IEC 60601-1-8 alarm priorities. */
export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Which detector raised it: clinical rules, the learned per-patient model, or a sensor check (technical alarm). */
export type AlertSource = 'news2' | 'model' | 'technical';

export type AlertState = 'raised' | 'escalated' | 'resolved';

/**
 * An alert on Kafka `alerts.events`, keyed by patientId. `alertId` is deterministic (patient,
 * source, episode start), so a replay of the same samples yields the same id and clinicians never
 * see one alert twice.
 */
export interface AlertEvent {
  readonly v: 1;
  readonly alertId: string;
  readonly patientId: string;
  readonly source: AlertSource;
  readonly state: AlertState;
  readonly severity: Severity;
  /** For a clinician, e.g. "SpO2 88 % for 2 min (NEWS2 3)". */
  readonly reason: string;
  /** The vitals that drove it, most important first. */
  readonly vitals: readonly Vital[];
  /** Detector output at the time: NEWS2 aggregate, or reconstruction error relative to the patient's usual. */
  readonly score: number;
  /** Episode start and this event's time, epoch ms (measurement time, not wall clock). */
  readonly startedAt: number;
  readonly at: number;
}
