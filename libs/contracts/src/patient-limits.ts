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
