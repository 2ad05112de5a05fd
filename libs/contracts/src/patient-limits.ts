import { z } from 'zod';
import { VITAL_SPECS, type Vital } from './vitals';

/** A lower and/or upper bound for one vital, in Vigil's units. */
export interface VitalLimits {
  readonly low?: number;
  readonly high?: number;
}

/**
 * Per-patient settings a care team may change: the NEWS2 SpO2 scale (2 for hypercapnic respiratory
 * failure, target 88–92 %) and hard limits that replace the defaults for this patient (a wider HR
 * band for an athlete, a lower SBP limit for someone whose normal is 90).
 */
export interface PatientLimits {
  readonly spo2Scale: 1 | 2;
  readonly hr?: VitalLimits;
  readonly spo2?: VitalLimits;
  readonly rr?: VitalLimits;
  readonly temp?: VitalLimits;
  readonly sbp?: VitalLimits;
}

/**
 * A change of a patient's limits on Kafka `patients.limits` (one partition, kept forever, keyed by
 * patient): the latest record per patient is in force. Audited by construction: who, when, why.
 */
export interface PatientLimitsChange {
  readonly v: 1;
  readonly patientId: string;
  readonly limits: PatientLimits;
  /** User id (JWT subject) of the clinician who set it. */
  readonly by: string;
  readonly reason: string;
  readonly at: number;
}

const bounds = (vital: Vital) => {
  const { min, max, unit } = VITAL_SPECS[vital];
  const value = z
    .number({ error: `${vital} limits must be numbers` })
    .min(min, `${vital} limits must be between ${min} and ${max} ${unit}`)
    .max(max, `${vital} limits must be between ${min} and ${max} ${unit}`);
  return z
    .strictObject({ low: value.optional(), high: value.optional() })
    .refine((l) => l.low === undefined || l.high === undefined || l.low < l.high, {
      error: `${vital}: low must be below high`,
    })
    .optional();
};

/** What a care team sends to set a patient's limits (PUT /patients/{id}/limits on the alerts gateway). */
export const patientLimitsRequestSchema = z.strictObject({
  limits: z.strictObject({
    spo2Scale: z.union([z.literal(1), z.literal(2)], { error: 'spo2Scale must be 1 or 2' }),
    hr: bounds('hr'),
    spo2: bounds('spo2'),
    rr: bounds('rr'),
    temp: bounds('temp'),
    sbp: bounds('sbp'),
  }),
  reason: z
    .string({ error: 'reason is required: say why these limits suit this patient' })
    .trim()
    .min(3, 'reason is required: say why these limits suit this patient')
    .max(500),
});
export type PatientLimitsRequest = z.infer<typeof patientLimitsRequestSchema>;

/** Runtime check of a `patients.limits` record: the limits as the gateway accepted them. */
export const patientLimitsChangeSchema = z.looseObject({
  v: z.literal(1),
  patientId: z.string().min(1),
  limits: patientLimitsRequestSchema.shape.limits,
  by: z.string().min(1),
  reason: z.string(),
  at: z.number().finite(),
}) satisfies z.ZodType<PatientLimitsChange>;
