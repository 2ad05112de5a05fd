import { VITALS } from '@vigil/contracts';
import { type RecordedSample, type Recording, type RecordingEpisode } from '@vigil/simulator';
import { buildTrainingWindows, normalisationOf, subsample, type WindowingOptions } from './training-windows';

/** 08:00 UTC: day time on the default ward clock. */
const START = Date.UTC(2026, 0, 1, 8);
const MIN = 60_000;
const T = 20;

/** Two hours of one steady patient at a wearable's cadences (temperature each minute, BP every 15 min). */
function recording(episodes: readonly RecordingEpisode[]): {
  labels: Pick<Recording, 'patients' | 'episodes'>;
  samples: Map<string, RecordedSample[]>;
} {
  const seconds = 2 * 3600;
  const samples: RecordedSample[] = Array.from({ length: seconds }, (_, s) => ({
    patientId: 'pat-0001',
    deviceId: 'dev-0001',
    ts: START + s * 1000,
    seq: s,
    hr: 72 + (s % 3),
    spo2: 97,
    rr: 14,
    steps: 0,
    ...(s % 60 === 0 ? { temp: 36.8 } : {}),
    ...(s % 900 === 0 ? { sbp: 120, dbp: 78 } : {}),
  }));
  const labels: Pick<Recording, 'patients' | 'episodes'> = {
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
  };
  return { labels, samples: new Map([['pat-0001', samples]]) };
}

const OPTIONS: WindowingOptions = {
  features: VITALS,
  windowSize: T,
  stride: 30,
  validationFraction: 0.25,
  settleMs: 5 * MIN,
};
const EPISODE: RecordingEpisode = {
  patientId: 'pat-0001',
  type: 'fever',
  category: 'clinical',
  start: START + 50 * MIN,
  end: START + 55 * MIN,
  vitals: ['temp'],
};
/** A window ending at `at` holds the slots at − (T−1) s … at. */
const spanOf = (at: number) => ({ from: at - (T - 1) * 1000, to: at + 1000 });

describe(buildTrainingWindows.name, () => {
  const plain = buildTrainingWindows(recording([]).labels, recording([]).samples, OPTIONS);
  const withEpisode = (() => {
    const { labels, samples } = recording([EPISODE]);
    return buildTrainingWindows(labels, samples, OPTIONS);
  })();

  it('takes the pipeline’s windows once the heart rate’s normal is learned, every 6th due window (30 s)', () => {
    expect(plain.trainCount).toBeGreaterThan(100);
    expect(plain.trainAt[0]).toBeGreaterThanOrEqual(START + 25 * MIN); // the baselines' warm-up
    const gaps = new Set(plain.trainAt.slice(1).map((at, i) => at - plain.trainAt[i]));
    expect([...gaps]).toEqual([30_000]);
    expect(plain.train).toHaveLength(plain.trainCount * T * VITALS.length);
  });

  it('hands the model deviations from the patient’s usual, and raw steps', () => {
    const F = VITALS.length;
    const at = (v: string, w: number, t: number) => plain.train[(w * T + t) * F + VITALS.indexOf(v as never)];
    const last = plain.trainCount - 1;
    expect(Math.abs(at('spo2', last, T - 1))).toBeLessThan(0.5); // 97 % against a usual of 97 %
    expect(Math.abs(at('hr', last, T - 1))).toBeLessThan(3); // 72–74 against a usual of ~73
    expect(Math.abs(at('rr', last, T - 1))).toBeLessThan(0.5);
    expect(at('steps', last, T - 1)).toBe(0);
    expect(plain.normalisation.mean[VITALS.indexOf('spo2')]).toBeCloseTo(0, 0);
  });

  it('holds out the last part of the patient’s time: every due window there, none straddling the split', () => {
    const split = START + (2 * 3600 - 1) * 1000 * 0.75;
    expect(plain.trainAt.every((at) => spanOf(at).to <= split)).toBe(true);
    const heldOut = plain.heldOutRuns.flatMap((r) => r.at);
    expect(heldOut.length).toBe(plain.heldOutCount);
    expect(heldOut.every((at) => spanOf(at).from >= split)).toBe(true);
    expect(plain.heldOutRuns).toHaveLength(1);
    expect(heldOut.slice(1).every((at, i) => at - heldOut[i] === 5000)).toBe(true);
    // About 30 min of held-out time, a window every 5 s; validation at the training stride.
    expect(plain.heldOutCount).toBeGreaterThan(340);
    expect(Math.abs(plain.validationCount - plain.heldOutCount / 6)).toBeLessThanOrEqual(1);
    expect(plain.validationAt.every((at) => heldOut.includes(at))).toBe(true);
  });

  it('leaves out windows overlapping a labelled episode and the settling time after it', () => {
    const overlaps = (at: number) => {
      const { from, to } = spanOf(at);
      return EPISODE.start < to && EPISODE.end + 5 * MIN > from;
    };
    expect(plain.trainAt.filter(overlaps).length).toBeGreaterThan(20);
    expect(withEpisode.trainAt.filter(overlaps)).toEqual([]);
    expect(withEpisode.excludedForEpisodes).toBe(plain.trainAt.filter(overlaps).length);
    expect(withEpisode.trainCount).toBe(plain.trainCount - withEpisode.excludedForEpisodes);
  });

  it('splits held-out time into runs at an episode', () => {
    const { labels, samples } = recording([
      {
        ...EPISODE,
        start: START + 100 * MIN,
        end: START + 102 * MIN,
        type: 'off_wrist',
        category: 'technical',
      },
    ]);
    const w = buildTrainingWindows(labels, samples, OPTIONS);
    expect(w.heldOutRuns).toHaveLength(2);
    expect(w.heldOutRuns[1].first).toBe(w.heldOutRuns[0].at.length);
    expect(w.heldOutRuns[0].at.at(-1)! + 1000).toBeLessThanOrEqual(START + 100 * MIN);
    expect(spanOf(w.heldOutRuns[1].at[0]).from).toBeGreaterThanOrEqual(START + 107 * MIN);
  });

  it('picks the model’s features out of the pipeline’s window, in the model’s order', () => {
    const { labels, samples } = recording([]);
    const w = buildTrainingWindows(labels, samples, { ...OPTIONS, features: ['steps', 'spo2'] });
    expect(w.trainCount).toBe(plain.trainCount);
    const last = plain.trainCount - 1;
    const F = VITALS.length;
    expect(w.train[(last * T + T - 1) * 2 + 1]).toBe(plain.train[(last * T + T - 1) * F + 1]);
    expect(w.train[(last * T + T - 1) * 2]).toBe(0);
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
