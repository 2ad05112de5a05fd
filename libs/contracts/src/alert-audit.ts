import type { Severity } from './alert-event';

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
  /** For a timed escalation: the step of the severity's chain (1-based) and who it calls. */
  readonly step?: number;
  readonly target?: string;
}
