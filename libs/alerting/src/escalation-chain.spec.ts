import type { AlertEvent, AlertView } from '@vigil/contracts';
import { applyToAlert } from './alert-lifecycle';
import { dueEscalations, type EscalationChains, nextEscalation, sweepIntervalMs } from './escalation-chain';

const chains: EscalationChains = {
  high: [
    { afterSeconds: 120, target: 'oncall' },
    { afterSeconds: 300, target: 'charge-nurse' },
  ],
  medium: [{ afterSeconds: 600, target: 'oncall' }],
  low: [],
};

const raised: AlertEvent = {
  v: 1,
  alertId: 'p1.clinical.1000',
  patientId: 'p1',
  kind: 'clinical',
  state: 'raised',
  severity: 'high',
  reason: 'SpO2 85 %',
  vitals: ['spo2'],
  evidence: [],
  startedAt: 1000,
  at: 10_000,
};
const open = (event: AlertEvent = raised): AlertView => applyToAlert(null, { kind: 'event', event }).view;

describe(nextEscalation.name, () => {
  it('walks a high alert through its chain: on-call at 2 min, charge nurse at 5 min, then nothing', () => {
    let view = open();
    const first = nextEscalation(view, chains);
    expect(first).toEqual({
      alertId: raised.alertId,
      step: 1,
      target: 'oncall',
      dueAt: 10_000 + 120_000,
      claim: `escalate:${raised.alertId}:10000:1`,
    });
    view = applyToAlert(view, { kind: 'escalate', at: 130_000, step: 1, target: 'oncall' }).view;
    expect(view).toMatchObject({ status: 'escalated', escalationStep: 1, escalatedTo: 'oncall' });
    // The clock stays where the alert opened: the second step is 5 min after that, not after step 1.
    expect(nextEscalation(view, chains)).toMatchObject({ step: 2, target: 'charge-nurse', dueAt: 310_000 });
    view = applyToAlert(view, { kind: 'escalate', at: 310_000, step: 2, target: 'charge-nurse' }).view;
    expect(nextEscalation(view, chains)).toBeNull();
  });

  it('uses each severity’s own chain, and none for an empty one', () => {
    expect(nextEscalation(open({ ...raised, severity: 'medium' }), chains)).toMatchObject({
      step: 1,
      dueAt: 610_000,
    });
    expect(nextEscalation(open({ ...raised, severity: 'low' }), chains)).toBeNull();
  });

  it('stops when someone acknowledges, and a worse episode restarts the chain of its severity', () => {
    const medium = open({ ...raised, severity: 'medium' });
    const acked = applyToAlert(medium, { kind: 'ack', by: 'nurse-1', at: 20_000 }).view;
    expect(nextEscalation(acked, chains)).toBeNull();
    const worse = applyToAlert(acked, {
      kind: 'event',
      event: { ...raised, state: 'escalated', severity: 'high', at: 50_000 },
    }).view;
    expect(nextEscalation(worse, chains)).toMatchObject({
      step: 1,
      target: 'oncall',
      dueAt: 170_000,
      claim: `escalate:${raised.alertId}:50000:1`,
    });
  });

  it('ignores a step taken already (a replayed or a second gateway’s escalation)', () => {
    const once = applyToAlert(open(), { kind: 'escalate', at: 130_000, step: 1, target: 'oncall' }).view;
    expect(
      applyToAlert(once, { kind: 'escalate', at: 131_000, step: 1, target: 'oncall' }).action,
    ).toBeNull();
    expect(applyToAlert(once, { kind: 'escalate', at: 131_000, step: 3 }).action).toBeNull();
  });

  it('reads alerts stored before chains existed: counts from updatedAt, escalated = step 1 taken', () => {
    const legacy: AlertView = {
      ...open(),
      status: 'escalated',
      openedAt: undefined,
      escalationStep: undefined,
      updatedAt: 7000,
    };
    expect(nextEscalation(legacy, chains)).toMatchObject({ step: 2, dueAt: 307_000 });
  });
});

describe(dueEscalations.name, () => {
  it('returns only steps due by now, one per alert, the same on every gateway (derived from state)', () => {
    const a = open();
    const b = open({ ...raised, alertId: 'p2.clinical.1', patientId: 'p2', at: 100_000 });
    expect(dueEscalations([a, b], chains, 129_999)).toEqual([]);
    expect(dueEscalations([a, b], chains, 130_000).map((d) => d.alertId)).toEqual([a.alertId]);
    // Long overdue (the gateways were down): the next step only, the one after at the next sweep.
    expect(dueEscalations([a], chains, 10_000_000).map((d) => d.step)).toEqual([1]);
  });
});

describe(sweepIntervalMs.name, () => {
  it('is a quarter of the shortest first step, within 1–10 s', () => {
    expect(sweepIntervalMs(chains)).toBe(10_000);
    expect(sweepIntervalMs({ ...chains, high: [{ afterSeconds: 8, target: 'x' }] })).toBe(2000);
    expect(sweepIntervalMs({ high: [], medium: [], low: [] })).toBe(10_000);
  });
});
