import type { Severity } from '@vigil/contracts';
import { AlertPolicy, type Observation } from './alert-policy';

const options = { confirm: 3, of: 4, clear: 2, cooldownMs: 60_000 };
const obs = (at: number, severity: Severity | null): Observation => ({
  at,
  severity,
  score: severity ? 3 : 0,
  vitals: ['spo2'],
  reason: 'r',
});

function run(policy: AlertPolicy, severities: (Severity | null)[], start = 0, step = 5000) {
  return severities.map((s, i) => policy.step(obs(start + i * step, s))).filter((t) => t !== null);
}

describe(AlertPolicy.name, () => {
  it('raises once k of n windows are abnormal, dated from the first abnormal one', () => {
    const t = run(new AlertPolicy('p1', 'news2', options), [
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
      alertId: 'p1.news2.5000',
    });
  });

  it('does not raise on isolated abnormal windows', () => {
    expect(
      run(new AlertPolicy('p1', 'news2', options), ['high', null, null, 'high', null, null, 'high']),
    ).toEqual([]);
  });

  it('escalates the open alert when severity rises, then resolves after enough normal windows', () => {
    const t = run(new AlertPolicy('p1', 'news2', options), [
      'medium',
      'medium',
      'medium',
      'high',
      null,
      null,
    ]);
    expect(t.map((x) => [x.state, x.severity, x.alertId])).toEqual([
      ['raised', 'medium', 'p1.news2.0'],
      ['escalated', 'high', 'p1.news2.0'],
      ['resolved', 'high', 'p1.news2.0'],
    ]);
  });

  it('does not resolve on one normal window in the middle of an episode', () => {
    const t = run(new AlertPolicy('p1', 'news2', options), [
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
    const policy = new AlertPolicy('p1', 'news2', options);
    const first = run(policy, ['medium', 'medium', 'medium', null, null]); // resolved at 20 s, quiet until 80 s
    const again = run(policy, ['medium', 'medium', 'medium', 'medium'], 25_000);
    const worse = run(policy, ['high', 'high', 'high'], 45_000);
    expect(first.map((x) => x.state)).toEqual(['raised', 'resolved']);
    expect(again).toEqual([]);
    expect(worse.map((x) => [x.state, x.severity])).toEqual([['raised', 'high']]);
  });

  it('gives the same ids for the same observations (replay-safe)', () => {
    const seq: (Severity | null)[] = [null, 'medium', 'medium', 'medium', null, null];
    expect(run(new AlertPolicy('p9', 'model', options), seq)).toEqual(
      run(new AlertPolicy('p9', 'model', options), seq),
    );
  });
});
