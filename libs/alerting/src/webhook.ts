import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AlertAudit, AlertView, Severity } from '@vigil/contracts';
import { alertToDetectedIssue, type FhirResource, notificationToCommunication } from './fhir-resources';

/**
 * What Vigil POSTs to the hospital's receiver (a paging system) for a new high alert and for every
 * escalation: one JSON body per notification, signed, with an idempotency key so a receiver that
 * gets a retry or a replay acts once. Pure: the alerts app sends it (apps/alerts webhook.dispatcher).
 */
export type NotificationType = 'alert.raised' | 'alert.escalated';

export interface WebhookNotification {
  readonly v: 1;
  /** The idempotency key (also the Idempotency-Key header): the same for every retry and replay. */
  readonly id: string;
  readonly type: NotificationType;
  /** When it happened (the audit record's time), ISO 8601. */
  readonly occurredAt: string;
  readonly alert: {
    readonly alertId: string;
    readonly patientId: string;
    readonly severity: Severity;
    /** The alert's status when the notification was built (null: Vigil no longer has it). */
    readonly status: AlertView['status'] | null;
    readonly reason: string | null;
    /** For a timed escalation: the chain step and who it calls. */
    readonly step: number | null;
    readonly target: string | null;
  };
  /** The same as FHIR R4 resources: the alert (DetectedIssue) and this notification (Communication). */
  readonly fhir: { readonly detectedIssue: FhirResource | null; readonly communication: FhirResource };
}

export const WEBHOOK_HEADERS = {
  signature: 'x-vigil-signature',
  timestamp: 'x-vigil-timestamp',
  idempotencyKey: 'idempotency-key',
} as const;

/** Does this audit record go out? New high alerts, and escalations (timed steps and a worse episode). */
export function notificationTypeOf(audit: AlertAudit): NotificationType | null {
  if (audit.action === 'escalated') return 'alert.escalated';
  if (audit.action === 'raised' && audit.severity === 'high') return 'alert.raised';
  return null;
}

/** Deterministic per audit record: a replay of alerts.audit yields the same key. */
export function idempotencyKey(audit: AlertAudit): string {
  const what = [audit.alertId, audit.action, audit.severity, audit.step ?? 0, audit.at].join('|');
  return `vigil-${createHash('sha256').update(what).digest('hex').slice(0, 32)}`;
}

/** The notification for an audit record (null: not one that goes out). `view`: the alert as stored now. */
export function buildNotification(audit: AlertAudit, view: AlertView | null): WebhookNotification | null {
  const type = notificationTypeOf(audit);
  if (type === null) return null;
  const id = idempotencyKey(audit);
  return {
    v: 1,
    id,
    type,
    occurredAt: new Date(audit.at).toISOString(),
    alert: {
      alertId: audit.alertId,
      patientId: audit.patientId,
      severity: audit.severity,
      status: view?.status ?? null,
      reason: view?.reason ?? null,
      step: audit.step ?? null,
      target: audit.target ?? null,
    },
    fhir: {
      detectedIssue: view ? alertToDetectedIssue(view) : null,
      communication: notificationToCommunication(id, audit, view),
    },
  };
}

/**
 * The signature header: `sha256=` + hex HMAC-SHA256 over `<timestamp>.<body>` with the shared
 * secret (the timestamp, epoch seconds, travels in X-Vigil-Timestamp): a receiver checks both, and
 * refuses old timestamps so a captured request cannot be replayed later.
 */
export function webhookSignature(body: string, timestampSeconds: number, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

/** For receivers (and Vigil's tests): is this request Vigil's, and recent (within `toleranceSeconds`)? */
export function verifyWebhookSignature(
  body: string,
  headers: { readonly signature: string | undefined; readonly timestamp: string | undefined },
  secret: string,
  nowMs: number,
  toleranceSeconds = 300,
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowMs / 1000 - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(webhookSignature(body, ts, secret));
  const given = Buffer.from(headers.signature ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Wait before retry `attempt` (1 = the first retry): doubling from `baseMs`, at most 60 s. */
export function retryDelayMs(attempt: number, baseMs: number): number {
  return Math.min(60_000, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Is this answer a delivery? 2xx yes; anything else (and no answer) is retried. */
export const delivered = (status: number): boolean => status >= 200 && status < 300;
