import { type LabelledEpisode, type MonitoredPatient } from './event-metrics';
import {
  alertsFromScores,
  averagePrecision,
  precisionRecallCurve,
  quantileThresholds,
  tailQuantileThresholds,
  type ScorePoint,
} from './pr-curve';

const m = 60_000;
const series = (patientId: string, scores: (number | null)[]): ScorePoint[] =>
  scores.map((score, i) => ({ patientId, at: i * m, score }));

describe(alertsFromScores.name, () => {
  it('alerts on each upward crossing, once per run, and treats missing scores as below', () => {
    const pts = series('p', [0, 5, 6, 0, 7, null, 8, 1]);
    expect(alertsFromScores(pts, 5, { cooldownMs: 0 }).map((a) => a.at / m)).toEqual([1, 4, 6]);
  });

  it('holds back a second alert inside the cooldown', () => {
    const pts = series('p', [0, 5, 0, 5, 0, 0, 5]);
    // crossings at 1, 3, 6; cooldown 3 min drops the one at 3 (only 2 min after 1)
    expect(alertsFromScores(pts, 5, { cooldownMs: 3 * m }).map((a) => a.at / m)).toEqual([1, 6]);
  });

  it('keeps patients apart even when their points interleave', () => {
    const pts = [...series('a', [0, 9]), ...series('b', [9, 9])];
    expect(alertsFromScores(pts, 5, { cooldownMs: 0 })).toEqual([
      { patientId: 'a', at: 1 * m },
      { patientId: 'b', at: 0 },
    ]);
  });
});

describe(quantileThresholds.name, () => {
  it('picks distinct scores at even quantiles, ignoring missing ones', () => {
    expect(quantileThresholds([4, null, 0, 2, NaN, 1, 3], 3)).toEqual([0, 2, 4]);
    expect(quantileThresholds([null], 3)).toEqual([]);
  });
});

describe(tailQuantileThresholds.name, () => {
  it('spaces quantiles from the median towards the 99.95th percentile', () => {
    const scores = Array.from({ length: 10_001 }, (_, i) => i); // quantile q is the score 10000·q
    // i = 0..3 of 4: q = 1 − ½·10^(−i): 0.5, 0.95, 0.995, 0.9995
    expect(tailQuantileThresholds(scores, 4)).toEqual([5000, 9500, 9950, 9995]);
    expect(tailQuantileThresholds([null, NaN], 4)).toEqual([]);
  });
});

describe(precisionRecallCurve.name, () => {
  // One patient, one day; one episode at minutes 10–12. Scores: a true bump (8) inside the episode,
  // a false bump (5) at minute 30, a small false bump (3) at minute 50.
  const scores = Array<number>(60).fill(0);
  scores[11] = 8;
  scores[30] = 5;
  scores[50] = 3;
  const patients: MonitoredPatient[] = [{ patientId: 'p', subgroup: 'all', monitoredMs: 24 * 3600_000 }];
  const episodes: LabelledEpisode[] = [
    { patientId: 'p', type: 'fever', category: 'clinical', start: 10 * m, end: 12 * m },
  ];
  const curve = precisionRecallCurve(series('p', scores), patients, episodes, [9, 8, 5, 3], {
    graceMs: 0,
    cooldownMs: 0,
  });

  it('traces precision and recall as the threshold falls', () => {
    expect(curve.map((p) => [p.threshold, p.recall, p.precision, p.falseAlertsPerPatientDay])).toEqual([
      [9, 0, null, 0],
      [8, 1, 1, 0],
      [5, 1, 0.5, 1],
      [3, 1, 1 / 3, 2],
    ]);
  });

  it('integrates to the step-wise average precision', () => {
    // recall goes 0 -> 1 at precision 1 (best point at recall 1 first), so AP = 1
    expect(averagePrecision(curve)).toBe(1);
    expect(
      averagePrecision([
        { threshold: 2, precision: 0.5, recall: 0.5, falseAlertsPerPatientDay: 0, alerts: 2 },
        { threshold: 1, precision: 0.25, recall: 1, falseAlertsPerPatientDay: 0, alerts: 8 },
      ]),
    ).toBeCloseTo(0.5 * 0.5 + 0.5 * 0.25, 12);
  });
});
