import type { Severity } from './alert-event';
import type { Silence } from './silence';

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
  /** For 'silenced' / 'unsilenced': the silence set or lifted. */
  readonly silence?: Silence;
}
