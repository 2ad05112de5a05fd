import type { Severity, Vital } from '@vigil/contracts';
import { AlertPolicy, type Observation } from './alert-policy';

const options = { confirm: 3, of: 4, clear: 2, cooldownMs: 60_000 };
const obs = (at: number, severity: Severity | null, vitals: Vital[] = ['spo2']): Observation => ({
  at,
  severity,
  vitals: severity ? vitals : [],
  reason: severity ? 'r' : '',
  evidence: [],
});

function run(policy: AlertPolicy, severities: (Severity | null)[], start = 0, step = 5000) {
  return severities.map((s, i) => policy.step(obs(start + i * step, s))).filter((t) => t !== null);
}

describe(AlertPolicy.name, () => {
  it('raises once k of n windows are abnormal, dated from the first abnormal one', () => {
    const t = run(new AlertPolicy('p1', 'clinical', options), [
      null,
      'medium',
      null,
      'medium',
      'medium',
      'medium',
    ]);
    expect(t).toHaveLength(1);
    expect(t[0]).toMatchObject({
      state: 'raised',
      severity: 'medium',
      startedAt: 5000,
      at: 20_000,
      alertId: 'p1.clinical.5000',
    });
  });

  it('does not raise on isolated abnormal windows', () => {
    expect(
      run(new AlertPolicy('p1', 'clinical', options), ['high', null, null, 'high', null, null, 'high']),
    ).toEqual([]);
  });

  it('escalates the one open alert once the higher severity holds, then resolves it', () => {
    const t = run(new AlertPolicy('p1', 'clinical', options), [
      'medium',
      'medium',
      'medium',
      'high',
      'high',
      'high',
      null,
      null,
    ]);
    expect(t.map((x) => [x.state, x.severity, x.alertId])).toEqual([
      ['raised', 'medium', 'p1.clinical.0'],
      ['escalated', 'high', 'p1.clinical.0'],
      ['resolved', 'high', 'p1.clinical.0'],
    ]);
  });

  it('does not escalate on one window of higher severity', () => {
    const t = run(new AlertPolicy('p1', 'clinical', options), ['low', 'low', 'low', 'high', 'low', 'low']);
    expect(t.map((x) => x.state)).toEqual(['raised']);
  });

  it('updates the open alert once when another vital joins the condition, not when one flickers', () => {
    const policy = new AlertPolicy('p1', 'clinical', options);
    const steps: [Severity, Vital[]][] = [
      ['medium', ['spo2']],
      ['medium', ['spo2']],
      ['medium', ['spo2']],
      ['medium', ['spo2', 'rr']],
      ['medium', ['spo2']],
      ['medium', ['spo2', 'rr']],
    ];
    const t = steps.map(([s, v], i) => policy.step(obs(i * 5000, s, v))).filter((x) => x !== null);
    expect(t.map((x) => [x.state, x.vitals])).toEqual([
      ['raised', ['spo2']],
      ['updated', ['spo2', 'rr']],
    ]);
  });

  it('does not resolve on one normal window in the middle of an episode', () => {
    const t = run(new AlertPolicy('p1', 'clinical', options), [
      'medium',
      'medium',
      'medium',
      null,
      'medium',
      null,
    ]);
    expect(t.map((x) => x.state)).toEqual(['raised']);
  });

  it('stays quiet during the cooldown unless severity rises', () => {
    const policy = new AlertPolicy('p1', 'clinical', options);
    const first = run(policy, ['medium', 'medium', 'medium', null, null]); // resolved at 20 s, quiet until 80 s
    const again = run(policy, ['medium', 'medium', 'medium', 'medium'], 25_000);
    const worse = run(policy, ['high', 'high', 'high'], 45_000);
    expect(first.map((x) => x.state)).toEqual(['raised', 'resolved']);
    expect(again).toEqual([]);
    expect(worse.map((x) => [x.state, x.severity])).toEqual([['raised', 'high']]);
  });

  it('gives the same ids for the same observations (replay-safe)', () => {
    const seq: (Severity | null)[] = [null, 'medium', 'medium', 'medium', null, null];
    expect(run(new AlertPolicy('p9', 'clinical', options), seq)).toEqual(
      run(new AlertPolicy('p9', 'clinical', options), seq),
    );
  });
});
