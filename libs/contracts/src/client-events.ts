import type { AlertKind, Evidence, Severity } from './alert-event';
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

/** Server → client WebSocket messages: `{"type": K, "data": ServerEvents[K]}`. */
export interface ServerEvents {
  hello: { user: string; role: string; openAlerts: AlertView[] };
  alert: AlertView;
  vitals: WindowScore;
  error: { message: string };
}

/** Client → server WebSocket messages. */
export interface ClientEvents {
  ack: { alertId: string };
  resolve: { alertId: string };
}

export type ServerMessage = {
  [K in keyof ServerEvents]: { type: K; data: ServerEvents[K] };
}[keyof ServerEvents];
export type ClientMessage = {
  [K in keyof ClientEvents]: { type: K; data: ClientEvents[K] };
}[keyof ClientEvents];
