import { DEFAULT_DETECTION_OPTIONS } from '../pipeline/detection-options';
import { DetectionPipeline } from '../pipeline/detection-pipeline';
import { samples, WARM_UP_S } from './scenario-helpers';

describe('scenario: the scorer restarts in the middle of an episode', () => {
  it('restores the patient’s normal from its checkpoint and, after re-reading its last minutes, keeps the same alert', async () => {
    const onset = WARM_UP_S + 600;
    const all = samples('p11', 0, onset + 900, (s) => (s >= onset ? { spo2: 88, rr: 24 } : {}));
    const crashAt = onset + 300;
    const before = all.filter((s) => s.ts < all[0].ts + crashAt * 1000);

    const first = new DetectionPipeline(DEFAULT_DETECTION_OPTIONS);
    const seen = await first.process(before);
    const raised = seen.alerts.find((a) => a.state === 'raised')!;
    expect(raised).toBeDefined();
    const checkpoint = first.snapshots(); // what the scorer wrote before it died

    // A new scorer: the checkpoint, then its warm-up re-read of the last 10 minutes (no output), then live.
    const second = new DetectionPipeline(DEFAULT_DETECTION_OPTIONS);
    for (const [id, snap] of checkpoint) second.restore(id, snap);
    const warmFrom = all[0].ts + (crashAt - 600) * 1000;
    await second.process(before.filter((s) => s.ts >= warmFrom));
    const live = await second.process(all.filter((s) => s.ts >= all[0].ts + crashAt * 1000));

    expect(live.alerts.filter((a) => a.state === 'raised')).toEqual([]);
    expect(live.alerts.every((a) => a.alertId === raised.alertId)).toBe(true);
    expect(live.scores.at(-1)?.usual.spo2).toBeCloseTo(97, 0);
  });
});
