import { type RecordedSample, type Recording } from '@vigil/simulator';
import { buildTrainingWindows, normalisationOf, subsample } from './training-windows';

const START = 1_700_000_000_000;

function recording(
  seconds: number,
  episodes: Recording['episodes'],
): { labels: Recording; samples: Map<string, RecordedSample[]> } {
  const samples: RecordedSample[] = Array.from({ length: seconds }, (_, k) => ({
    patientId: 'pat-0001',
    deviceId: 'dev-0001',
    ts: START + k * 1000,
    seq: k,
    hr: 60 + k,
    ...(k % 10 === 0 ? { sbp: 120 } : {}),
  }));
  const labels: Recording = {
    meta: { seed: 1, startMs: START, durationMs: seconds * 1000, rateHz: 1, patients: 1 },
    patients: [
      {
        patientId: 'pat-0001',
        deviceId: 'dev-0001',
        startMs: START,
        endMs: START + (seconds - 1) * 1000,
        samples: seconds,
        subgroup: '18-39',
      },
    ],
    episodes,
    confounders: [],
    samples: seconds,
  };
  return { labels, samples: new Map([['pat-0001', samples]]) };
}

describe(buildTrainingWindows.name, () => {
  it('cuts strided windows on a 1 Hz grid, NaN where nothing was measured, last part for validation', () => {
    const { labels, samples } = recording(100, []);
    const w = buildTrainingWindows(labels, samples, {
      features: ['hr', 'sbp'],
      windowSize: 10,
      stride: 10,
      validationFraction: 0.2,
    });
    expect(w.trainCount).toBe(8);
    expect(w.validationCount).toBe(2);
    // Second training window starts at t = 10: hr 70.., sbp only at its first second.
    expect(Array.from(w.train.subarray(20, 24))).toEqual([70, 120, 71, NaN]);
    expect(Array.from(w.validation.subarray(0, 2))).toEqual([140, 120]);
  });

  it('leaves out windows overlapping a labelled episode and the settling time after it', () => {
    const episode = {
      patientId: 'pat-0001',
      type: 'fever' as const,
      category: 'clinical' as const,
      start: START + 20_000,
      end: START + 30_000,
      vitals: ['temp' as const],
    };
    const { labels, samples } = recording(100, [episode]);
    const w = buildTrainingWindows(labels, samples, {
      features: ['hr'],
      windowSize: 10,
      stride: 10,
      validationFraction: 0.2,
      settleMs: 15_000,
    });
    // Windows at 20 s (episode) and 30 s, 40 s (settling) are out.
    expect(w.excludedForEpisodes).toBe(3);
    expect(w.trainCount).toBe(5);
    expect(Array.from(w.train.filter((_, i) => i % 10 === 0))).toEqual([60, 70, 110, 120, 130]);
  });
});

describe(normalisationOf.name, () => {
  it('ignores missing values and floors a zero spread', () => {
    const n = normalisationOf(Float32Array.from([1, 5, 3, 5, NaN, 5]), 2);
    expect(n.mean).toEqual([2, 5]);
    expect(n.std).toEqual([1, 0.001]);
  });
});

describe(subsample.name, () => {
  it('keeps at most max windows, in their original order', () => {
    const data = Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
    let s = 0;
    const picked = subsample(data, 4, 2, 2, () => (s = (s + 0.37) % 1));
    expect(picked.count).toBe(2);
    const firsts = [picked.data[0], picked.data[2]];
    expect(firsts[0]).toBeLessThan(firsts[1]);
    expect(picked.data[1]).toBe(firsts[0]);
  });
});
