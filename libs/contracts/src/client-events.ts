import type { AlertAudit } from './alert-audit';
import type { AlertKind, Evidence, Severity } from './alert-event';
import type { Silence } from './silence';
import type { Vital } from './vitals';
import type { WindowScore } from './window-score';

/** An alert as clinicians see it: the latest state of its lifecycle. */
export type AlertStatus = 'open' | 'acknowledged' | 'escalated' | 'resolved';

export interface AlertView {
  readonly alertId: string;
  readonly patientId: string;
  readonly kind: AlertKind;
  readonly status: AlertStatus;
  readonly severity: Severity;
  readonly reason: string;
  readonly vitals: readonly Vital[];
  readonly evidence: readonly Evidence[];
  readonly startedAt: number;
  readonly updatedAt: number;
  readonly acknowledgedBy: string | null;
  /** When the alert last began to need someone (raised, or re-opened by a worse episode): escalation chains count from here. */
  readonly openedAt?: number;
  /** Steps of its severity's escalation chain taken since openedAt (0: none), and who the last one called. */
  readonly escalationStep?: number;
  readonly escalatedTo?: string | null;
}

/** A patient as a screen shows them: display fields from the registry, when data last arrived. */
export interface PatientCard {
  readonly patientId: string;
  readonly displayName: string | null;
  readonly bed: string | null;
  /** Wall-clock ms at which this gateway last received a scored window for the patient (null: never). */
  readonly lastSeenAt: number | null;
}

/** A patient's recent vitals and the history of their alerts, as the patient view draws them. */
export interface PatientDetail {
  readonly patientId: string;
  /** Scored windows the gateway has seen (recent hours, thinned to one per bucket), oldest first. */
  readonly vitals: readonly WindowScore[];
  /** The patient's alerts this gateway knows of (open and recently resolved), newest first. */
  readonly alerts: readonly AlertView[];
  /** Lifecycle records of those alerts (alerts.audit), oldest first. */
  readonly history: readonly AlertAudit[];
}

/** Server → client WebSocket messages: `{"type": K, "data": ServerEvents[K]}`. */
export interface ServerEvents {
  /**
   * After authentication, and again on every reconnect: the complete current state, so a client
   * that replaces what it holds with it has nothing missing and nothing twice.
   */
  hello: {
    user: string;
    role: string;
    openAlerts: AlertView[];
    silences: Silence[];
    patients: PatientCard[];
    /** Settings the screen needs: when a tile counts as "no data". */
    noDataMs: number;
    silenceMaxMinutes: number;
  };
  alert: AlertView;
  vitals: WindowScore;
  /** A silence set (until in the future) or lifted (until ≤ now). */
  silence: Silence;
  detail: PatientDetail;
  error: { message: string };
}

/** Client → server WebSocket messages. */
export interface ClientEvents {
  /** First message of a browser's socket (no token in URLs); other clients may send `Authorization` instead. */
  auth: { token: string };
  ack: { alertId: string };
  resolve: { alertId: string };
  silence: { patientId: string; minutes: number; reason: string };
  unsilence: { patientId: string };
  detail: { patientId: string };
}

export type ServerMessage = {
  [K in keyof ServerEvents]: { type: K; data: ServerEvents[K] };
}[keyof ServerEvents];
export type ClientMessage = {
  [K in keyof ClientEvents]: { type: K; data: ClientEvents[K] };
}[keyof ClientEvents];
