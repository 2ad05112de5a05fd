import { maskedErrors, prepareWindows, smoothWindows } from './window-prep';

describe(prepareWindows.name, () => {
  const norm = { mean: [10, 0], std: [2, 1] };

  it('normalises, carries the last value forward, back-fills the start, and masks what was not measured', () => {
    // T = 4, F = 2: feature 0 missing at t=0 and t=2; feature 1 never measured.
    const raw = Float32Array.from([NaN, NaN, 12, NaN, NaN, NaN, 8, NaN]);
    const x = prepareWindows(raw, 1, 4, norm);
    const values = [0, 1, 2, 3].map((t) => [x[t * 4], x[t * 4 + 1]]);
    const mask = [0, 1, 2, 3].map((t) => [x[t * 4 + 2], x[t * 4 + 3]]);
    expect(values).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
      [-1, 0],
    ]);
    expect(mask).toEqual([
      [0, 0],
      [1, 0],
      [0, 0],
      [1, 0],
    ]);
  });

  it('rejects a buffer shorter than count × T × F', () => {
    expect(() => prepareWindows(new Float32Array(7), 1, 4, norm)).toThrow(RangeError);
  });
});

describe(maskedErrors.name, () => {
  it('averages squared error over measured values only, with per-feature shares summing to the score', () => {
    // One window, T = 2, F = 2. Input values [[0, 0], [1, 1]], mask [[1, 1], [1, 0]].
    const input = Float32Array.from([0, 0, 1, 1, 1, 1, 1, 0]);
    // Reconstruction errors: t0 (1, 2), t1 (-1, 100) — the 100 is on a masked value and must not count.
    const recon = Float32Array.from([1, 2, 0, 101]);
    const { scores, contributions } = maskedErrors(input, recon, 1, 2, 2);
    expect(scores[0]).toBeCloseTo((1 + 4 + 1) / 3, 6);
    expect(Array.from(contributions)).toEqual([expect.closeTo(2 / 3, 6), expect.closeTo(4 / 3, 6)]);
  });

  it('scores an all-missing window as 0 rather than NaN', () => {
    const { scores } = maskedErrors(new Float32Array(8), Float32Array.from([5, 5, 5, 5]), 1, 2, 2);
    expect(scores[0]).toBe(0);
  });
});

describe(smoothWindows.name, () => {
  it('takes a trailing mean of observed values per window, leaving other features alone', () => {
    // T = 4, F = 2; feature 1 smoothed over 2 samples, with a gap at t = 2.
    const raw = Float32Array.from([1, 0, 2, 2, 3, NaN, 4, 4]);
    expect(Array.from(smoothWindows(raw, 1, 4, [1, 2]))).toEqual([1, 0, 2, 1, 3, 2, 4, 4]);
  });

  it('is applied by prepareWindows before normalising when the model asks for it', () => {
    const raw = Float32Array.from([0, 2, 4, 6]);
    const x = prepareWindows(raw, 1, 4, { mean: [0], std: [1], smoothing: [2] });
    expect([x[0], x[2], x[4], x[6]]).toEqual([0, 1, 3, 5]);
  });
});

describe(`${maskedErrors.name} with score weights`, () => {
  it('leaves a zero-weight feature out of the score, its share and the count of measured values', () => {
    const input = Float32Array.from([0, 0, 1, 1, 1, 1, 1, 1]);
    const recon = Float32Array.from([1, 9, 0, 9]);
    const { scores, contributions } = maskedErrors(input, recon, 1, 2, 2, [1, 0]);
    expect(scores[0]).toBeCloseTo(1, 6);
    expect(Array.from(contributions)).toEqual([expect.closeTo(1, 6), 0]);
  });
});
