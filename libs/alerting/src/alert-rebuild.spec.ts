import type { AlertAudit, AlertEvent } from '@vigil/contracts';
import { applyToAlert, type LifecycleInput } from './alert-lifecycle';
import { rebuildAlertViews } from './alert-rebuild';

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
const escalated: AlertEvent = {
  ...raised,
  state: 'escalated',
  severity: 'high',
  reason: 'SpO2 84 %',
  at: 30_000,
};
const resolvedByDetector: AlertEvent = { ...raised, state: 'resolved', at: 90_000 };
const other: AlertEvent = { ...raised, alertId: 'p2.clinical.5', patientId: 'p2', startedAt: 5, at: 20_000 };

/** What a gateway does: each input through the lifecycle, one audit record per change. */
function live(inputs: readonly LifecycleInput[]) {
  const views = new Map<string, ReturnType<typeof applyToAlert>['view']>();
  const audits: AlertAudit[] = [];
  for (const input of inputs) {
    const id = input.kind === 'event' ? input.event.alertId : raised.alertId;
    const { view, action } = applyToAlert(views.get(id) ?? null, input);
    if (action === null) continue;
    views.set(id, view);
    const by = input.kind === 'ack' || input.kind === 'resolve' ? input.by : 'vigil';
    audits.push({
      v: 1,
      alertId: id,
      patientId: view.patientId,
      action,
      severity: view.severity,
      by,
      at: view.updatedAt,
    });
  }
  return { views, audits };
}

describe(rebuildAlertViews.name, () => {
  it('rebuilds exactly what the gateway stored: detector changes, people’s actions, timer escalations', () => {
    const inputs: LifecycleInput[] = [
      { kind: 'event', event: raised },
      { kind: 'event', event: other },
      { kind: 'escalate', at: 140_000 }, // nobody acknowledged p1 in time
      { kind: 'ack', by: 'nurse-1', at: 150_000 },
      { kind: 'event', event: { ...escalated, at: 160_000 } }, // worse again: re-opened
      { kind: 'ack', by: 'nurse-2', at: 170_000 },
    ];
    const { views, audits } = live(inputs);
    const events = inputs.flatMap((i) => (i.kind === 'event' ? [i.event] : []));
    expect(rebuildAlertViews(events, audits)).toEqual(views);
    expect(views.get(raised.alertId)).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'nurse-2',
      severity: 'high',
    });
  });

  it('keeps resolved alerts resolved (a replayed raise must not re-open them)', () => {
    const inputs: LifecycleInput[] = [
      { kind: 'event', event: raised },
      { kind: 'event', event: resolvedByDetector },
    ];
    const { views, audits } = live(inputs);
    const rebuilt = rebuildAlertViews([raised, resolvedByDetector, raised], audits);
    expect(rebuilt).toEqual(views);
    expect(rebuilt.get(raised.alertId)?.status).toBe('resolved');
  });

  it('applies detector events no audit record speaks for (a gateway died before auditing them)', () => {
    const rebuilt = rebuildAlertViews([raised, escalated, raised], []);
    expect(rebuilt.get(raised.alertId)).toMatchObject({
      status: 'open',
      severity: 'high',
      reason: 'SpO2 84 %',
    });
  });

  it('is empty for empty logs', () => {
    expect(rebuildAlertViews([], []).size).toBe(0);
  });
});
