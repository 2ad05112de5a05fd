import { samples, WARM_UP_S, warmedUp } from './scenario-helpers';

describe('scenario: exercise', () => {
  it('raises nothing for a run at HR 160 and RR 28, nor during the recovery after it', async () => {
    const { pipeline } = await warmedUp('p6');
    const start = WARM_UP_S;
    // Ten minutes at 2.7 steps/s: HR climbs to 160 within a minute; then rest, HR and RR come down over minutes.
    const run = await pipeline.process(
      samples('p6', start, 600, (s) => ({
        steps: s % 10 < 7 ? 3 : 2,
        hr: Math.min(160, 72 + (s - start) * 2) + (s % 3),
        rr: Math.min(28, 14 + (s - start) / 4),
        spo2: 96,
      })),
    );
    const recovery = await pipeline.process(
      samples('p6', start + 600, 900, (s) => {
        const k = Math.exp(-(s - start - 600) / 60);
        return { hr: Math.round(72 + 88 * k) + (s % 3), rr: 14 + 14 * k };
      }),
    );
    expect(run.alerts).toEqual([]);
    expect(recovery.alerts).toEqual([]);
    expect(run.scores.at(-1)?.context.activity).toBe('active');
    expect(recovery.scores[10].context.activity).toBe('recovery');
  });

  it('still alerts on a heart rate beyond the active ceiling', async () => {
    const { pipeline } = await warmedUp('p7');
    const out = await pipeline.process(
      samples('p7', WARM_UP_S, 300, (s) => ({ steps: 3, hr: 200 + (s % 3) })),
    );
    expect(out.alerts.map((a) => [a.state, a.severity])).toEqual([['raised', 'high']]);
    expect(out.alerts[0].reason).toMatch(/^HR 20\d bpm .*, during activity$/);
  });
});
