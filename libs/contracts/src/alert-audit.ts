import { z } from 'zod';
import { type Severity, SEVERITIES } from './alert-event';
import { type Silence, silenceSchema } from './silence';

/** What happened to an alert, who did it, when: the audit trail on Kafka `alerts.audit`. */
export type AlertAction =
  | 'raised'
  | 'escalated'
  | 'updated'
  | 'acknowledged'
  | 'resolved'
  | 'auto-resolved'
  // A patient's announcements silenced / the silence lifted early (alertId `silence:<patientId>`).
  | 'silenced'
  | 'unsilenced';

export interface AlertAudit {
  readonly v: 1;
  readonly alertId: string;
  readonly patientId: string;
  readonly action: AlertAction;
  readonly severity: Severity;
  /** User id (JWT subject) for people's actions, 'vigil' for the system's. */
  readonly by: string;
  readonly at: number;
  readonly note?: string;
  /** For a timed escalation: the step of the severity's chain (1-based) and who it calls. */
  readonly step?: number;
  readonly target?: string;
  /** For 'silenced' / 'unsilenced': the silence set or lifted. */
  readonly silence?: Silence;
}

export const ALERT_ACTIONS = [
  'raised',
  'escalated',
  'updated',
  'acknowledged',
  'resolved',
  'auto-resolved',
  'silenced',
  'unsilenced',
] as const satisfies readonly AlertAction[];

/** Runtime check of an `alerts.audit` record. */
export const alertAuditSchema = z.looseObject({
  v: z.literal(1),
  alertId: z.string().min(1),
  patientId: z.string().min(1),
  action: z.enum(ALERT_ACTIONS),
  severity: z.enum(SEVERITIES),
  by: z.string().min(1),
  at: z.number().finite(),
  note: z.string().optional(),
  step: z.number().int().positive().optional(),
  target: z.string().optional(),
  silence: silenceSchema.optional(),
}) satisfies z.ZodType<AlertAudit>;
