import { samples, WARM_UP_S, warmedUp } from './scenario-helpers';

describe('scenario: motion artefacts', () => {
  it('raises nothing for one-sample HR spikes and short SpO2 drops', async () => {
    const { pipeline } = await warmedUp('p9');
    const start = WARM_UP_S;
    const out = await pipeline.process(
      samples('p9', start, 900, (s) => {
        const t = s - start;
        if (t % 120 === 30) return { hr: 150 };
        if (t % 120 === 60) return { hr: 35 };
        if (t % 300 >= 90 && t % 300 < 93) return { spo2: 82 };
        return {};
      }),
    );
    expect(out.alerts).toEqual([]);
    expect(Math.max(...out.scores.map((x) => x.latest.hr ?? 0))).toBeLessThan(80);
  });
});
