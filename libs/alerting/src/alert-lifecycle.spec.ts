import type { AlertEvent } from '@vigil/contracts';
import { applyToAlert, canSee } from './alert-lifecycle';

const raised: AlertEvent = {
  v: 1,
  alertId: 'p1.clinical.1000',
  patientId: 'p1',
  kind: 'clinical',
  state: 'raised',
  severity: 'medium',
  reason: 'SpO2 88 % (usual 97 %)',
  vitals: ['spo2'],
  evidence: [{ source: 'baseline', vital: 'spo2', value: 88, usual: 97, score: -9 }],
  startedAt: 1000,
  at: 16_000,
};

describe(applyToAlert.name, () => {
  it('opens an alert on a raise, and ignores a replayed raise', () => {
    const first = applyToAlert(null, { kind: 'event', event: raised });
    expect(first.action).toBe('raised');
    expect(first.view).toMatchObject({ status: 'open', severity: 'medium', acknowledgedBy: null });
    expect(applyToAlert(first.view, { kind: 'event', event: raised }).action).toBeNull();
  });

  it('records who acknowledged, once', () => {
    const open = applyToAlert(null, { kind: 'event', event: raised }).view;
    const acked = applyToAlert(open, { kind: 'ack', by: 'nurse-1', at: 20_000 });
    expect(acked).toMatchObject({
      action: 'acknowledged',
      view: { status: 'acknowledged', acknowledgedBy: 'nurse-1' },
    });
    expect(applyToAlert(acked.view, { kind: 'ack', by: 'nurse-2', at: 21_000 }).action).toBeNull();
  });

  it('re-opens an acknowledged alert when the detector escalates severity', () => {
    const open = applyToAlert(null, { kind: 'event', event: raised }).view;
    const acked = applyToAlert(open, { kind: 'ack', by: 'nurse-1', at: 20_000 }).view;
    const worse = applyToAlert(acked, {
      kind: 'event',
      event: { ...raised, state: 'escalated', severity: 'high', at: 30_000 },
    });
    expect(worse).toMatchObject({
      action: 'escalated',
      view: { status: 'open', severity: 'high', acknowledgedBy: null },
    });
  });

  it('escalates only alerts still open (not acknowledged ones)', () => {
    const open = applyToAlert(null, { kind: 'event', event: raised }).view;
    expect(applyToAlert(open, { kind: 'escalate', at: 200_000 }).view.status).toBe('escalated');
    const acked = applyToAlert(open, { kind: 'ack', by: 'n', at: 1 }).view;
    expect(applyToAlert(acked, { kind: 'escalate', at: 200_000 }).action).toBeNull();
  });

  it('resolves only an acknowledged alert: open and escalated ones are refused until someone acknowledges', () => {
    const open = applyToAlert(null, { kind: 'event', event: raised }).view;
    expect(applyToAlert(open, { kind: 'resolve', by: 'n', at: 2 })).toEqual({
      view: open,
      action: null,
      refused: 'not-acknowledged',
    });
    const escalated = applyToAlert(open, { kind: 'escalate', at: 200_000 }).view;
    expect(applyToAlert(escalated, { kind: 'resolve', by: 'n', at: 200_001 })).toMatchObject({
      action: null,
      refused: 'not-acknowledged',
      view: { status: 'escalated' },
    });
    const acked = applyToAlert(escalated, { kind: 'ack', by: 'oncall-1', at: 200_002 });
    expect(acked).toMatchObject({ action: 'acknowledged', view: { status: 'acknowledged' } });
    expect(applyToAlert(acked.view, { kind: 'resolve', by: 'nurse-2', at: 200_003 })).toMatchObject({
      action: 'resolved',
      view: { status: 'resolved', acknowledgedBy: 'oncall-1', updatedAt: 200_003 },
    });
  });

  it('refuses to resolve an alert the detector re-opened by escalating severity after an ack', () => {
    const open = applyToAlert(null, { kind: 'event', event: raised }).view;
    const acked = applyToAlert(open, { kind: 'ack', by: 'nurse-1', at: 20_000 }).view;
    const worse = applyToAlert(acked, {
      kind: 'event',
      event: { ...raised, state: 'escalated', severity: 'high', at: 30_000 },
    }).view;
    expect(applyToAlert(worse, { kind: 'resolve', by: 'nurse-1', at: 31_000 }).refused).toBe(
      'not-acknowledged',
    );
  });

  it('auto-resolves on the detector’s resolve, after which nothing changes it', () => {
    const open = applyToAlert(null, { kind: 'event', event: raised }).view;
    const resolved = applyToAlert(open, {
      kind: 'event',
      event: { ...raised, state: 'resolved', at: 90_000 },
    });
    expect(resolved).toMatchObject({ action: 'auto-resolved', view: { status: 'resolved' } });
    expect(applyToAlert(resolved.view, { kind: 'ack', by: 'n', at: 1 }).action).toBeNull();
  });
});

describe(canSee.name, () => {
  it('lets clinicians see their teams’ patients only; on-call and admin see all', () => {
    expect(canSee({ role: 'clinician', teams: ['team-a'] }, ['team-a', 'team-b'])).toBe(true);
    expect(canSee({ role: 'clinician', teams: ['team-a'] }, ['team-b'])).toBe(false);
    expect(canSee({ role: 'clinician', teams: ['team-a'] }, [])).toBe(false);
    expect(canSee({ role: 'oncall', teams: [] }, [])).toBe(true);
  });
});
