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

/** Why a hello is a snapshot rather than a replay (see decideResume in @vigil/alerting). */
export type SnapshotReason =
  'no-cursor' | 'unknown-cursor' | 'cursor-expired' | 'feed-reset' | 'too-far-behind';

/**
 * The feed id of an alert version or silence change: its entry in the gateways' shared Redis stream
 * (`<ms>-<seq>`), the same on every gateway instance and totally ordered.
 */
export interface FeedStamp {
  readonly eventId: string;
}

/** Server → client WebSocket messages: `{"type": K, "data": ServerEvents[K]}`. */
export interface ServerEvents {
  /**
   * After authentication, and again on every reconnect. `feed` says what follows:
   * - 'snapshot': `openAlerts` and `silences` are the complete current state (a client replaces what
   *   it holds with them: nothing missing, nothing twice), and live events follow;
   * - 'replay': the client sent `lastEventId` and the gateway can tell exactly what came after it:
   *   those `alert`/`silence` events follow, in order, once each, then live ones. A client that kept
   *   its state applies them and ignores `openAlerts` (still the current state, for clients that do not).
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
    feed: 'replay' | 'snapshot';
    /** Why a snapshot (no cursor, unknown, older than the stream keeps, state rebuilt, too far behind). */
    reason?: SnapshotReason;
    /**
     * The feed position this hello stands at (null: the feed is empty): the client's cursor until it
     * receives an event (each carries its `eventId`); send it back as `lastEventId` on reconnect.
     */
    lastEventId: string | null;
  };
  /** A new version of an alert, with its feed id. */
  alert: AlertView & FeedStamp;
  vitals: WindowScore;
  /** A silence set (until in the future) or lifted (until ≤ now), with its feed id. */
  silence: Silence & FeedStamp;
  detail: PatientDetail;
  error: { message: string };
}

/** Client → server WebSocket messages. */
export interface ClientEvents {
  /** First message of a browser's socket (no token in URLs); other clients may send `Authorization` instead. */
  auth: {
    token: string;
    /** The last feed id the client received (an event's `eventId`, or hello's `lastEventId`): resume after it. */
    lastEventId?: string;
  };
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
