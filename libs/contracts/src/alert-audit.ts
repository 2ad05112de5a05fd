import { z } from 'zod';
import { type Severity, SEVERITIES } from './alert-event';

/** What happened to an alert, who did it, when: the audit trail on Kafka `alerts.audit`. */
export type AlertAction = 'raised' | 'escalated' | 'updated' | 'acknowledged' | 'resolved' | 'auto-resolved';

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
}

export const ALERT_ACTIONS = [
  'raised',
  'escalated',
  'updated',
  'acknowledged',
  'resolved',
  'auto-resolved',
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
}) satisfies z.ZodType<AlertAudit>;
