import { samples, WARM_UP_S, warmedUp } from '../scenarios/scenario-helpers';
import { DetectionPipeline } from './detection-pipeline';

describe(DetectionPipeline.name, () => {
  it('names, for each alert, the input sample that closed its window (the trace an alert continues)', async () => {
    const { pipeline } = await warmedUp('p1');
    const { pipeline: twin } = await warmedUp('p1');
    // Two patients interleaved; only p1 desaturates (SpO2 85 %: NEWS2 and its hard limit).
    const p1 = samples('p1', WARM_UP_S, 300, (s) => (s >= WARM_UP_S + 60 ? { spo2: 85 } : {}));
    const p2 = samples('p2', WARM_UP_S, 300);
    const input = p1.flatMap((s, i) => [s, p2[i]]);

    const out = await pipeline.process(input);
    expect(out.alerts.length).toBeGreaterThan(0);
    expect(out.alertSamples).toHaveLength(out.alerts.length);
    const first = out.alertSamples[0];
    for (const [i, alert] of out.alerts.entries()) {
      const sample = input[out.alertSamples[i]];
      expect(sample.patientId).toBe(alert.patientId);
      expect(sample.ts).toBeGreaterThanOrEqual(alert.at);
    }
    // The samples before it do not raise the first alert; with it, they do.
    expect((await twin.process(input.slice(0, first))).alerts).toEqual([]);
    expect((await twin.process(input.slice(first, first + 1))).alerts[0]).toEqual(out.alerts[0]);
  });
});
