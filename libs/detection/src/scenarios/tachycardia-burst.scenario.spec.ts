import { samples, WARM_UP_S, warmedUp } from './scenario-helpers';

describe('scenario: tachycardia burst', () => {
  it('ignores a 6-second burst (shorter than the alarm delay) but alerts on sustained tachycardia at rest', async () => {
    const { pipeline } = await warmedUp('p2');
    const start = WARM_UP_S;
    const burst = await pipeline.process(
      samples('p2', start, 300, (s) => (s >= start + 100 && s < start + 106 ? { hr: 150 } : {})),
    );
    const sustained = await pipeline.process(samples('p2', start + 300, 240, (s) => ({ hr: 124 + (s % 4) })));

    expect(burst.alerts).toEqual([]);
    expect(sustained.alerts.map((a) => [a.state, a.severity, a.vitals])).toEqual([
      ['raised', 'medium', ['hr']],
    ]);
    expect(sustained.alerts[0].reason).toMatch(/^HR 12\d bpm \(usual 7\d bpm\)$/);
  });
});
