import { z } from 'zod';
import { type Vital, VITALS } from './vitals';

/** IEC 60601-1-8 alarm priorities. */
export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * Clinical: the patient's physiology (one alert per patient condition, whatever detectors agree on
 * it). Technical: the sensor, not the patient ("check the sensor"); kept apart so that a fault on
 * one vital never silences a clinical alarm carried by another.
 */
export const ALERT_KINDS = ['clinical', 'technical'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** raised → (escalated: severity rose | updated: what is off changed)* → resolved. */
export type AlertState = 'raised' | 'escalated' | 'updated' | 'resolved';

/**
 * What a detector contributed to an alert:
 * - `limit`: a hard safety limit crossed (always high);
 * - `baseline`: the vital is far from this patient's own normal in the current context;
 * - `news2`: NEWS2 points of an abnormal vital (or the aggregate, with `vital` null);
 * - `model`: the learned model's reconstruction error over its calibrated alert level;
 * - `sensor`: a sensor check (technical alarms).
 */
export type EvidenceSource = 'limit' | 'baseline' | 'news2' | 'model' | 'sensor';

export interface Evidence {
  readonly source: EvidenceSource;
  readonly vital: Vital | null;
  /** The vital's value the evidence is about (robust recent value), when it concerns one vital. */
  readonly value: number | null;
  /** The patient's usual value in the current context, for `baseline` (and shown beside limits). */
  readonly usual: number | null;
  /** Detector output: z-like deviation, NEWS2 points, model error ÷ alert level, 1 for a limit. */
  readonly score: number;
}

/**
 * An alert on Kafka `alerts.events`, keyed by patientId. `alertId` is deterministic (patient,
 * kind, episode start), so a replay of the same samples yields the same id and clinicians never
 * see one alert twice.
 */
export interface AlertEvent {
  readonly v: 1;
  readonly alertId: string;
  readonly patientId: string;
  readonly kind: AlertKind;
  readonly state: AlertState;
  readonly severity: Severity;
  /** For a clinician: only the vitals that are off, with the patient's usual, e.g. "SpO2 87 % (usual 96 %) for 2 min". */
  readonly reason: string;
  /** The vitals that are off, most important first. */
  readonly vitals: readonly Vital[];
  /** Every detector's contribution at this event, for audit (not in the text). */
  readonly evidence: readonly Evidence[];
  /** Episode start and this event's time, epoch ms (measurement time, not wall clock). */
  readonly startedAt: number;
  readonly at: number;
}

export const evidenceSchema = z.looseObject({
  source: z.enum(['limit', 'baseline', 'news2', 'model', 'sensor']),
  vital: z.enum(VITALS).nullable(),
  value: z.number().nullable(),
  usual: z.number().nullable(),
  score: z.number(),
}) satisfies z.ZodType<Evidence>;

/** Runtime check of an `alerts.events` record. */
export const alertEventSchema = z.looseObject({
  v: z.literal(1),
  alertId: z.string().min(1),
  patientId: z.string().min(1),
  kind: z.enum(ALERT_KINDS),
  state: z.enum(['raised', 'escalated', 'updated', 'resolved']),
  severity: z.enum(SEVERITIES),
  reason: z.string(),
  vitals: z.array(z.enum(VITALS)),
  evidence: z.array(evidenceSchema),
  startedAt: z.number().finite(),
  at: z.number().finite(),
}) satisfies z.ZodType<AlertEvent>;
