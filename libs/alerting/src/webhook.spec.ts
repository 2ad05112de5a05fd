import type { AlertAudit, AlertEvent } from '@vigil/contracts';
import { fhirSchemaErrors } from '@vigil/testing';
import { applyToAlert } from './alert-lifecycle';
import {
  buildNotification,
  idempotencyKey,
  notificationTypeOf,
  retryDelayMs,
  verifyWebhookSignature,
  webhookSignature,
} from './webhook';

const raised: AlertEvent = {
  v: 1,
  alertId: 'p1.clinical.1000',
  patientId: 'p1',
  kind: 'clinical',
  state: 'raised',
  severity: 'high',
  reason: 'HR 142 /min (usual 70)',
  vitals: ['hr'],
  evidence: [],
  startedAt: 1000,
  at: 5000,
};
const audit = (over: Partial<AlertAudit>): AlertAudit => ({
  v: 1,
  alertId: raised.alertId,
  patientId: 'p1',
  action: 'raised',
  severity: 'high',
  by: 'vigil',
  at: 5000,
  ...over,
});

describe(notificationTypeOf.name, () => {
  it('sends new high alerts and every escalation, nothing else', () => {
    expect(notificationTypeOf(audit({}))).toBe('alert.raised');
    expect(notificationTypeOf(audit({ severity: 'medium' }))).toBeNull();
    expect(notificationTypeOf(audit({ action: 'escalated', severity: 'low', step: 1 }))).toBe(
      'alert.escalated',
    );
    expect(notificationTypeOf(audit({ action: 'acknowledged' }))).toBeNull();
    expect(notificationTypeOf(audit({ action: 'updated' }))).toBeNull();
  });
});

describe(buildNotification.name, () => {
  it('carries a stable idempotency key, the step and target, and valid FHIR resources', () => {
    const view = applyToAlert(null, { kind: 'event', event: raised }).view;
    const step = audit({ action: 'escalated', step: 2, target: 'charge-nurse', at: 305_000 });
    const n = buildNotification(step, view);
    expect(n).toMatchObject({
      id: idempotencyKey(step),
      type: 'alert.escalated',
      occurredAt: '1970-01-01T00:05:05.000Z',
      alert: { alertId: raised.alertId, status: 'open', step: 2, target: 'charge-nurse' },
    });
    expect(buildNotification(step, view)?.id).toBe(n?.id); // a replay: the same key
    expect(idempotencyKey({ ...step, step: 1 })).not.toBe(n?.id);
    expect(fhirSchemaErrors(n?.fhir.detectedIssue)).toEqual([]);
    expect(fhirSchemaErrors(n?.fhir.communication)).toEqual([]);
    expect(buildNotification(audit({ action: 'resolved' }), view)).toBeNull();
  });
});

describe(webhookSignature.name, () => {
  const secret = 'hook-secret';
  const body = '{"a":1}';
  const now = 1_700_000_000_000;
  const ts = now / 1000;

  it('verifies with the secret and a recent timestamp only', () => {
    const signature = webhookSignature(body, ts, secret);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(body, { signature, timestamp: String(ts) }, secret, now)).toBe(true);
    expect(verifyWebhookSignature('{"a":2}', { signature, timestamp: String(ts) }, secret, now)).toBe(false);
    expect(verifyWebhookSignature(body, { signature, timestamp: String(ts) }, 'other', now)).toBe(false);
    expect(verifyWebhookSignature(body, { signature, timestamp: String(ts + 1) }, secret, now)).toBe(false);
    expect(verifyWebhookSignature(body, { signature, timestamp: String(ts) }, secret, now + 301_000)).toBe(
      false,
    );
    expect(verifyWebhookSignature(body, { signature: undefined, timestamp: undefined }, secret, now)).toBe(
      false,
    );
  });
});

describe(retryDelayMs.name, () => {
  it('doubles from the base, capped at a minute', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 1000))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(20, 1000)).toBe(60_000);
  });
});
