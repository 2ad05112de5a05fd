import { DEFAULT_DETECTION_OPTIONS } from '../pipeline/detection-options';
import { DetectionPipeline } from '../pipeline/detection-pipeline';
import { samples } from './scenario-helpers';

describe('scenario: sensor dropout', () => {
  it('neither alerts nor invents values while a sensor is silent', async () => {
    const pipeline = new DetectionPipeline(DEFAULT_DETECTION_OPTIONS);
    // SpO2 sensor drops out for three minutes; the other vitals go on.
    const out = await pipeline.process(
      samples('p3', 0, 600, (s) => (s >= 200 && s < 380 ? { spo2: undefined } : {})),
    );

    expect(out.alerts).toEqual([]);
    const inGap = out.scores.filter((x) => x.at > 0 && x.latest.spo2 === undefined);
    expect(inGap.length).toBeGreaterThan(20);
    expect(inGap.every((x) => x.news2 === 0)).toBe(true);
  });

  it('scores nothing for a patient whose device went silent', async () => {
    const pipeline = new DetectionPipeline(DEFAULT_DETECTION_OPTIONS);
    await pipeline.process(samples('p4', 0, 120));
    const resumed = await pipeline.process(samples('p4', 3600, 3));
    expect(resumed.scores).toEqual([]);
  });
});
