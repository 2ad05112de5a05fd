import {
  OUTSIDE,
  PROBATIONARY,
  optimizeThreshold,
  probationaryLength,
  scaledSigmoid,
  scoreAtThreshold,
  scoreByThreshold,
  sweepCorpus,
  sweepFile,
} from './nab-sweeper';

const standard = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };

describe(scaledSigmoid.name, () => {
  it('is 2·sigmoid(−5p) − 1, and −1 beyond 3 window-widths', () => {
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(-1)).toBeCloseTo(0.9866143, 7); // 2/(1+e^-5) - 1
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.8482836, 7); // 2/(1+e^-2.5) - 1
    expect(scaledSigmoid(3)).toBeCloseTo(-0.9999994, 7);
    expect(scaledSigmoid(3.0001)).toBe(-1);
  });
});

describe(probationaryLength.name, () => {
  it('is 15 % of the rows, at most 750', () => {
    expect(probationaryLength(10)).toBe(1);
    expect(probationaryLength(4032)).toBe(604);
    expect(probationaryLength(22695)).toBe(750);
  });
});

// Hand case: 10 rows, probation 1 row, one window on rows 4–5 (width 2), standard profile.
//   row 0: probationary; rows 1–3: before any window, a detection costs −0.11
//   row 4: p = −(5−4+1)/2 = −1   -> 1.0 (earliest = full credit)
//   row 5: p = −(5−5+1)/2 = −0.5 -> 0.8482836/0.9866143 = 0.8597926
//   rows 6–9: after the window, distance d/(2−1) = 1, 2, 3, 4 -> 0.11·σₛ(d) = −0.1085276, −0.1099900, −0.1099999, −0.11
// Anomaly scores: 1.0 on row 0 (ignored), 0.9 on row 2 (FP), 0.8 on row 5 (late TP), 0.6 on row 7 (FP after).
const anomaly = [1, 0, 0.9, 0, 0, 0.8, 0, 0.6, 0, 0];
const windows = [{ start: 4, end: 5 }];

describe(sweepFile.name, () => {
  it('weights each row as NAB does', () => {
    const s = sweepFile(anomaly, windows, standard);
    const expected = [-0.11, -0.11, -0.11, -0.11, 1, 0.8597926, -0.1085276, -0.10999, -0.1099999, -0.11];
    [...s.sweep].forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    expect([...s.window]).toEqual([
      PROBATIONARY,
      OUTSIDE,
      OUTSIDE,
      OUTSIDE,
      0,
      0,
      OUTSIDE,
      OUTSIDE,
      OUTSIDE,
      OUTSIDE,
    ]);
  });

  it('refuses scores outside [0, 1] and overlapping windows', () => {
    expect(() => sweepFile([0, 2], [], standard)).toThrow(RangeError);
    expect(() =>
      sweepFile(
        Array<number>(10).fill(0),
        [
          { start: 2, end: 5 },
          { start: 5, end: 6 },
        ],
        standard,
      ),
    ).toThrow(RangeError);
  });
});

describe(scoreByThreshold.name, () => {
  const table = scoreByThreshold(sweepCorpus([{ anomalyScores: anomaly, windows }], standard));

  it('totals the score at every distinct threshold, highest first', () => {
    expect(table.map((t) => t.threshold)).toEqual([1.1, 0.9, 0.8, 0.6, 0]);
    const expected = [
      -1, // nothing detected: the window is missed
      -1.11, // + the FP before the window
      0.7497926, // the late TP replaces the miss: 0.8597926 − 0.11
      0.6398026, // + the FP two rows after the window's end: −0.10999
      0.2314825, // everything: the window's best row (1.0) and seven FPs
    ];
    table.forEach((t, i) => expect(t.score).toBeCloseTo(expected[i], 6));
    expect(table[2]).toMatchObject({ tp: 1, fn: 1, fp: 1, tn: 6 });
  });

  it('optimises the threshold to the best total and scores any threshold like NAB', () => {
    expect(optimizeThreshold(table)).toMatchObject({ threshold: 0.8 });
    expect(scoreAtThreshold(table, 0.85).threshold).toBe(0.9);
    expect(scoreAtThreshold(table, 0.8).threshold).toBe(0.8);
  });

  it('takes the earliest detection of a window, and doubles the miss cost on the low-FN profile', () => {
    const lowFn = { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 };
    const both = scoreByThreshold(
      sweepCorpus([{ anomalyScores: [0, 0, 0, 0, 0.5, 0.5, 0, 0, 0, 0], windows }], lowFn),
    );
    expect(both.slice(0, 2).map((t) => [t.threshold, t.score])).toEqual([
      [1.1, -2],
      [0.5, 1],
    ]);
  });

  it('keeps the windows of different files apart', () => {
    const files = [
      { anomalyScores: [0, 0, 0, 0, 1, 0, 0, 0, 0, 0], windows },
      { anomalyScores: Array<number>(10).fill(0), windows },
    ];
    const t = scoreByThreshold(sweepCorpus(files, standard));
    expect(t[0].score).toBe(-2);
    expect(scoreAtThreshold(t, 1).score).toBeCloseTo(0, 12); // one hit (1.0), one miss (−1)
  });
});
