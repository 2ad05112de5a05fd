import { DEFAULT_DETECTION_OPTIONS, type SampleLike } from '@vigil/detection';
import { EvaluationReplay } from './evaluation-replay';

// One patient at 1 Hz: 40 steady minutes, then SpO2 85 % for 10 minutes, then steady again.
const start = Date.UTC(2026, 0, 1);
function samples(): SampleLike[] {
  return Array.from({ length: 60 * 60 }, (_, i) => ({
    patientId: 'p1',
    ts: start + i * 1000,
    hr: 70 + (i % 7) - 3,
    spo2: i >= 2400 && i < 3000 ? 85 : 97 + (i % 2),
    rr: 15,
    temp: 36.8,
  }));
}

describe(EvaluationReplay.name, () => {
  it('replays through the scorer’s NEWS2 path and the z-score baseline, one alert each, at raise time', async () => {
    const replay = new EvaluationReplay(DEFAULT_DETECTION_OPTIONS, null, {
      alertZ: 4,
      mediumZ: 6,
      warmup: 60,
      halfLife: 1440,
    });
    const all = samples();
    for (let i = 0; i < all.length; i += 500) await replay.push(all.slice(i, i + 500));

    expect(replay.samples).toBe(3600);
    expect(replay.hasModel).toBe(false);
    expect(replay.alerts['lstm-ae']).toEqual([]);
    for (const name of ['news2', 'zscore', 'vigil'] as const) {
      expect(replay.alerts[name]).toHaveLength(1);
      const delay = replay.alerts[name][0].at - (start + 2400_000);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(120_000); // median window + 3-of-4 hysteresis at a 5 s stride
    }
    const trace = replay.traces.get('p1');
    expect(trace?.at.length).toBe(replay.windows);
    expect(Math.min(...(trace?.latest.spo2 ?? []))).toBe(85);
  });
});
