import { DEFAULT_DETECTION_OPTIONS } from '../pipeline/detection-options';
import { DetectionPipeline } from '../pipeline/detection-pipeline';
import { samples, T0 } from './scenario-helpers';

describe('scenario: desaturation', () => {
  it('raises one medium NEWS2 alert about SpO2 within a minute, then resolves it', async () => {
    const pipeline = new DetectionPipeline(DEFAULT_DETECTION_OPTIONS);
    const before = await pipeline.process(samples('p1', 0, 300));
    const during = await pipeline.process(samples('p1', 300, 180, () => ({ spo2: 86 })));
    const after = await pipeline.process(samples('p1', 480, 300));

    expect(before.alerts).toEqual([]);
    expect(during.alerts).toHaveLength(1);
    const [alert] = during.alerts;
    expect(alert).toMatchObject({ state: 'raised', source: 'news2', severity: 'medium', vitals: ['spo2'] });
    expect(alert.reason).toBe('SpO2 86 % (NEWS2 3)');
    expect(alert.at - (T0 + 300_000)).toBeLessThanOrEqual(60_000);
    expect(after.alerts.map((a) => [a.state, a.alertId])).toEqual([['resolved', alert.alertId]]);
  });
});
