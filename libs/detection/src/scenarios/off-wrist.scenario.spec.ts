import { DEFAULT_DETECTION_OPTIONS } from '../pipeline/detection-options';
import { DetectionPipeline } from '../pipeline/detection-pipeline';
import { samples } from './scenario-helpers';

describe('scenario: watch taken off the wrist', () => {
  it('raises one technical alarm, not a clinical one, and clears it when the watch is back', async () => {
    const pipeline = new DetectionPipeline(DEFAULT_DETECTION_OPTIONS);
    await pipeline.process(samples('p5', 0, 300));
    // Optical sensors go silent; the skin probe cools towards room temperature (NEWS2 would call it hypothermia).
    const off = await pipeline.process(
      samples('p5', 300, 600, (s) => ({
        hr: undefined,
        spo2: undefined,
        rr: undefined,
        steps: 0,
        temp: 36.8 - Math.min(7, (s - 300) / 30),
      })),
    );
    const back = await pipeline.process(samples('p5', 900, 300));

    expect(off.alerts.map((a) => [a.source, a.state, a.severity])).toEqual([['technical', 'raised', 'low']]);
    expect(off.alerts[0].reason).toMatch(/^Check the sensor: no heart rate, SpO2 or respiration for \d+ s/);
    expect(back.alerts.map((a) => [a.source, a.state])).toEqual([['technical', 'resolved']]);
  });
});
