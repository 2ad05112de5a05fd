import { median, percentile, ratio } from './stats';

describe(percentile.name, () => {
  it('interpolates between closest ranks like numpy', () => {
    // ranks 0..4 over [10, 20, 30, 40, 50]; p90 -> rank 3.6 -> 40 + 0.6 * 10 = 46
    expect(percentile([50, 10, 40, 20, 30], 90)).toBeCloseTo(46, 10);
    expect(percentile([50, 10, 40, 20, 30], 0)).toBe(10);
    expect(percentile([50, 10, 40, 20, 30], 100)).toBe(50);
  });

  it('is null for no values and rejects p outside [0, 100]', () => {
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe(median.name, () => {
  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
});

describe(ratio.name, () => {
  it('is null when dividing by zero', () => {
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(1, 4)).toBe(0.25);
  });
});
