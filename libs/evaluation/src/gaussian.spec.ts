import { erfc, gaussianTail } from './gaussian';

describe(erfc.name, () => {
  it('matches tabulated values to 1e-7 relative', () => {
    // erfc(0) = 1, erfc(1) = 0.157299207, erfc(2) = 0.004677735, erfc(-1) = 1.842700793, erfc(5) = 1.5375e-12
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(1)).toBeCloseTo(0.157299207, 7);
    expect(erfc(2) / 0.004677735 - 1).toBeLessThan(2e-7);
    expect(erfc(-1)).toBeCloseTo(1.842700793, 7);
    expect(Math.abs(erfc(5) / 1.5374597944e-12 - 1)).toBeLessThan(2e-7);
  });
});

describe(gaussianTail.name, () => {
  it('is the upper tail, mirrored below the mean', () => {
    expect(gaussianTail(0, 0, 1)).toBeCloseTo(0.5, 7);
    expect(gaussianTail(1.959964, 0, 1)).toBeCloseTo(0.025, 6);
    expect(gaussianTail(-1.959964, 0, 1)).toBeCloseTo(0.025, 6);
    expect(gaussianTail(12, 10, 2)).toBeCloseTo(0.1586553, 6);
  });
});
