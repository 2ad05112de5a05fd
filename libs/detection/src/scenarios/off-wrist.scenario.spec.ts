import { samples, WARM_UP_S, warmedUp } from './scenario-helpers';

describe('scenario: watch taken off the wrist', () => {
  it('raises one technical alarm, not a clinical one, and clears it when the watch is back', async () => {
    const { pipeline } = await warmedUp('p5');
    const start = WARM_UP_S;
    // Optical sensors go silent; the skin probe cools towards room temperature (NEWS2 would call it hypothermia).
    const off = await pipeline.process(
      samples('p5', start, 600, (s) => ({
        hr: undefined,
        spo2: undefined,
        rr: undefined,
        steps: 0,
        temp: 36.8 - Math.min(7, (s - start) / 30),
      })),
    );
    const back = await pipeline.process(samples('p5', start + 600, 300));

    expect(off.alerts.map((a) => [a.kind, a.state, a.severity])).toEqual([['technical', 'raised', 'low']]);
    expect(off.alerts[0].reason).toMatch(/^Check the sensor: no heart rate, SpO2 or respiration for \d+ s/);
    expect(back.alerts.map((a) => [a.kind, a.state])).toEqual([['technical', 'resolved']]);
  });
});
