import { errorsToAnomalyScores } from './error-scoring';

describe(errorsToAnomalyScores.name, () => {
  it('scores each error against the running mean/variance of the errors before it', () => {
    // errors 1, 3 (no window before index 1): after them mean 2, population variance 1.
    // index 3: error 4 -> z = (4 − 2)/1 = 2 -> Φ(2) = 0.97725; index 4: below the running mean -> 0.
    const errors = Float64Array.from([NaN, 1, 3, 4, 0]);
    const out = errorsToAnomalyScores(errors, { halfLife: 1e9, log: false, minHistory: 2 });
    expect(out[0]).toBe(0);
    expect(out[1]).toBe(0); // not enough history yet
    expect(out[2]).toBe(0);
    expect(out[3]).toBeCloseTo(0.97725, 5);
    expect(out[4]).toBe(0);
  });

  it('forgets old errors with the half-life', () => {
    const errors = Float64Array.from([...Array<number>(200).fill(10), ...Array<number>(200).fill(1), 2]);
    const longMemory = errorsToAnomalyScores(errors, { halfLife: 1e9, log: false, minHistory: 2 });
    const shortMemory = errorsToAnomalyScores(errors, { halfLife: 20, log: false, minHistory: 2 });
    expect(longMemory[400]).toBe(0); // 2 is below a mean still near 5.5
    expect(shortMemory[400]).toBeGreaterThan(0.99); // the mean has moved to ~1 with a tiny spread
  });
});
