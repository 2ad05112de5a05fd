import { T0, samples } from './scenario-helpers';
import { DEFAULT_DETECTION_OPTIONS } from '../pipeline/detection-options';
import { DetectionPipeline } from '../pipeline/detection-pipeline';

describe('scenario: a patient whose normal sits at a NEWS2 band edge', () => {
  it('stays quiet overnight at their usual SBP of 95 (NEWS2 2 each reading), and alerts at SBP 80', async () => {
    const pipeline = new DetectionPipeline(DEFAULT_DETECTION_OPTIONS);
    // From 20:00 to 06:00: SBP 93–97 every 15 min (NEWS2 scores 91–100 as 2), RR 12, HR 60.
    const evening = Date.UTC(2026, 0, 1, 20) - T0;
    const night = await pipeline.process(
      samples('p8', evening / 1000, 10 * 3600, (s) => ({
        hr: 60 + (s % 3),
        rr: 12,
        ...(s % 900 === 0 ? { sbp: 95 + ((s / 900) % 5) - 2, dbp: 60 } : {}),
      })),
    );
    expect(night.alerts).toEqual([]);
    expect(night.scores.at(-1)?.usual.sbp).toBeGreaterThan(90);

    const start = evening / 1000 + 10 * 3600;
    const low = await pipeline.process(
      samples('p8', start, 1800, (s) => ({
        hr: 70 + (s % 3),
        rr: 12,
        ...(s % 900 === 0 ? { sbp: 80, dbp: 50 } : {}),
      })),
    );
    const raised = low.alerts.filter((a) => a.state === 'raised');
    expect(raised).toHaveLength(1);
    expect(raised[0].vitals).toEqual(['sbp']);
    expect(raised[0].reason).toMatch(/^SBP 80 mmHg \(usual 9\d mmHg\)/);
    expect(low.alerts.map((a) => a.severity)).toContain('high');
  });
});
