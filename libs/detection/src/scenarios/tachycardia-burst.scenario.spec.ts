import { DEFAULT_DETECTION_OPTIONS } from '../pipeline/detection-options';
import { DetectionPipeline } from '../pipeline/detection-pipeline';
import { samples } from './scenario-helpers';

describe('scenario: tachycardia burst', () => {
  it('ignores a 10-second burst but alerts on sustained tachycardia', async () => {
    const pipeline = new DetectionPipeline(DEFAULT_DETECTION_OPTIONS);
    const burst = await pipeline.process(
      samples('p2', 0, 300, (s) => (s >= 100 && s < 110 ? { hr: 150 } : {})),
    );
    const sustained = await pipeline.process(samples('p2', 300, 240, (s) => ({ hr: 140 + (s % 4) })));

    expect(burst.alerts).toEqual([]);
    expect(sustained.alerts.map((a) => [a.state, a.severity, a.vitals])).toEqual([
      ['raised', 'medium', ['hr']],
    ]);
  });
});
