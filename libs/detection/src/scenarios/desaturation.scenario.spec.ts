import { VITALS } from '@vigil/contracts';
import type { WindowScorerLike } from '../pipeline/window-scorer';
import { samples, T0, WARM_UP_S, warmedUp } from './scenario-helpers';

/**
 * A stand-in for the learned model (a test double of our own engine edge): reconstruction error
 * grows with how far SpO2 sits below the patient's usual in the newest second (residual input).
 */
const SPO2 = VITALS.indexOf('spo2');
const modelSeeingSpo2: WindowScorerLike = {
  score(windows, count) {
    const T = 60;
    const F = VITALS.length;
    const scores = new Float32Array(count);
    const contributions = new Float32Array(count * F);
    for (let b = 0; b < count; b++) {
      const last = windows[(b * T + T - 1) * F + SPO2];
      scores[b] = Number.isNaN(last) ? 0 : Math.max(0, -last) / 4;
      contributions[b * F + SPO2] = scores[b];
    }
    return Promise.resolve({ scores, contributions });
  },
};

describe('scenario: desaturation seen by the model and by NEWS2', () => {
  it('raises one clinical alert soon after SpO2 is 3 % below usual, that escalates as SpO2 falls, then resolves it', async () => {
    const { pipeline, warmUp } = await warmedUp('p1', modelSeeingSpo2);
    const onset = WARM_UP_S;
    // SpO2 falls 1 % every 20 s from 97 to 82, holds, then recovers.
    const during = await pipeline.process(
      samples('p1', onset, 480, (s) => ({ spo2: Math.max(82, 97 - Math.floor((s - onset) / 20)) })),
    );
    const after = await pipeline.process(samples('p1', onset + 480, 300));

    expect(warmUp.alerts).toEqual([]);
    const ids = new Set(during.alerts.map((a) => a.alertId));
    expect(ids.size).toBe(1);
    const [raised, ...rest] = during.alerts;
    expect(raised).toMatchObject({ state: 'raised', kind: 'clinical', vitals: ['spo2'] });
    // SpO2 is 3 % below usual at 60 s; most of the last 10 s must agree, then two windows in a row.
    expect(raised.at - (T0 + onset * 1000)).toBeLessThanOrEqual(100_000);
    expect(raised.evidence.map((e) => e.source)).toEqual(expect.arrayContaining(['baseline', 'model']));
    expect(raised.reason).toMatch(/^SpO2 9\d % \(usual 97 %\)/);
    expect(['low', 'medium']).toContain(raised.severity);
    expect(
      rest
        .filter((a) => a.state === 'escalated')
        .map((a) => a.severity)
        .at(-1),
    ).toBe('high');
    const high = rest.find((a) => a.severity === 'high')!;
    expect(high.reason).toMatch(/^SpO2 8[0-4] % \(usual 97 %\) for \d+ min/);
    expect(after.alerts.map((a) => [a.state, a.alertId])).toEqual([['resolved', raised.alertId]]);
  });
});
