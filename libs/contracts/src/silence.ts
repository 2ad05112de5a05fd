import { z } from 'zod';
import { type Severity, SEVERITIES } from './alert-event';

/**
 * A clinician silenced a patient's alarm announcements for a time-box, with a reason. It covers the
 * alerts of that patient up to `severity` (the highest one open when it was set): a higher-severity
 * alarm is announced regardless. It ends by itself at `until`. Audited on `alerts.audit`.
 */
export interface Silence {
  readonly patientId: string;
  readonly by: string;
  readonly reason: string;
  readonly severity: Severity;
  /** Epoch ms (wall clock). */
  readonly from: number;
  readonly until: number;
}

/** Runtime check of a silence carried by an `alerts.audit` record. */
export const silenceSchema = z.looseObject({
  patientId: z.string().min(1),
  by: z.string().min(1),
  reason: z.string().min(1),
  severity: z.enum(SEVERITIES),
  from: z.number().finite(),
  until: z.number().finite(),
}) satisfies z.ZodType<Silence>;
