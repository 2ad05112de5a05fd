import { DEFAULT_LIMITS, limitsFor } from './hard-limits';

describe(limitsFor.name, () => {
  it('gives the defaults while a patient’s normal is being learned', () => {
    expect(limitsFor('hr', undefined, false, null)).toEqual(DEFAULT_LIMITS.hr);
    expect(limitsFor('sbp', undefined, false, null)).toEqual(DEFAULT_LIMITS.sbp);
  });

  it('raises the HR ceiling during activity', () => {
    expect(limitsFor('hr', undefined, true, 70, 4).high).toBe(190);
  });

  it('lets the floor follow a normal that sits near it, never below its last resort', () => {
    expect(limitsFor('hr', undefined, false, 44, 4).low).toBe(30); // 44 − max(10, 3.5 × 4) = 30
    expect(limitsFor('sbp', undefined, false, 95, 6).low).toBe(83); // 95 − max(10, 2 × 6)
    expect(limitsFor('sbp', undefined, false, 84, 8).low).toBe(75);
    expect(limitsFor('sbp', undefined, false, 120, 8).low).toBe(90);
  });

  it('takes the care team’s limits over all of that', () => {
    const own = { spo2Scale: 1 as const, hr: { low: 35, high: 150 } };
    expect(limitsFor('hr', own, false, 44, 4)).toEqual({ low: 35, high: 150 });
    expect(limitsFor('hr', own, true, 44, 4).high).toBe(190);
  });
});
