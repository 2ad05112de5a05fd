import { DEFAULT_DETECTION_OPTIONS } from '@vigil/detection';
import { calibrateAlertLevel, countAlerts, type ErrorSequence } from './calibrate';

/** A policy that confirms on 2 of 3 windows, so one abnormal window alone raises nothing. */
const POLICY = { ...DEFAULT_DETECTION_OPTIONS.policy, confirm: 2, of: 3 };
const WINDOW_MS = 5000;
const DAY_WINDOWS = 86_400_000 / WINDOW_MS;

/** One patient-day of windows at error 1, with bursts (two windows in a row) at the given errors. */
function day(patientId: string, bursts: readonly { at: number; error: number }[]): ErrorSequence {
  const errors = new Float64Array(DAY_WINDOWS).fill(1);
  for (const b of bursts) errors[b.at] = errors[b.at + 1] = b.error;
  return { patientId, at: Array.from(errors, (_, i) => i * WINDOW_MS), errors };
}

describe(countAlerts.name, () => {
  it('counts raised alerts through the policy: one abnormal window alone does not confirm', () => {
    const single = { patientId: 'p', at: [0, 5000, 10000, 15000], errors: [0, 5, 0, 0] };
    const pair = { patientId: 'q', at: [0, 5000, 10000, 15000], errors: [0, 5, 5, 0] };
    expect(countAlerts([single], 2, POLICY)).toBe(0);
    expect(countAlerts([pair], 2, POLICY)).toBe(1);
    expect(countAlerts([pair], 6, POLICY)).toBe(0);
  });

  it('keeps bursts within the cooldown as one alert', () => {
    // Bursts 4 min apart: the second comes after the first cleared (1 min) but inside the 10 min cooldown.
    const s = day('p', [
      { at: 100, error: 5 },
      { at: 148, error: 5 },
    ]);
    expect(countAlerts([s], 2, POLICY)).toBe(1);
  });
});

describe(calibrateAlertLevel.name, () => {
  // Two patient-days; bursts at errors 2, 3, 4 and 5 spaced far apart (each its own alert).
  const sequences = [
    day('p1', [
      { at: 1000, error: 2 },
      { at: 5000, error: 4 },
    ]),
    day('p2', [
      { at: 1000, error: 3 },
      { at: 5000, error: 5 },
    ]),
  ];
  // Of the 34 560 errors, the 8 highest are 2, 2, 3, 3, 4, 4, 5, 5: these quantiles fall between them.
  const quantiles = [0.5, 0.999783, 0.999841, 0.999899, 0.999957, 1];

  it('picks the lowest candidate level whose false alerts per patient-day fit the budget', () => {
    const r = calibrateAlertLevel(sequences, {
      budgetPerPatientDay: 1,
      policy: POLICY,
      windowMs: WINDOW_MS,
      quantiles,
    });
    expect(r.patientDays).toBe(2);
    expect(r.windows).toBe(2 * DAY_WINDOWS);
    // The quantiles, then just above the highest error (5): no alert at all.
    expect(r.candidates.map((c) => c.alerts)).toEqual([2, 4, 3, 2, 1, 1, 0]);
    // p50 is the baseline itself (1): every window abnormal, one alert per patient that never clears.
    expect(r.candidates[0].alertsPerPatientDay).toBe(1);
    expect(r.alert).toBe(1);
    expect(r.quantile).toBe(0.5);
    const strict = calibrateAlertLevel(sequences, {
      budgetPerPatientDay: 0.5,
      policy: POLICY,
      windowMs: WINDOW_MS,
      quantiles: quantiles.slice(1),
    });
    expect(strict.alerts).toBe(1);
    expect(strict.alertsPerPatientDay).toBe(0.5);
    expect(strict.alert).toBeGreaterThan(4);
    expect(strict.alert).toBeLessThanOrEqual(5);
    expect(strict.met).toBe(true);
    expect(strict.policy).toEqual(POLICY);
    expect(strict.budgetPerPatientDay).toBe(0.5);
  });

  it('goes past the quantiles, just above the highest held-out errors, when the budget needs it', () => {
    const r = calibrateAlertLevel(sequences, {
      budgetPerPatientDay: 0.1,
      policy: POLICY,
      windowMs: WINDOW_MS,
      quantiles: quantiles.slice(1, 4),
    });
    // The highest quantile (the level 4) still gives 2 alerts; just above 4 one; above 5, the highest
    // held-out error, none.
    expect(r.candidates.map((c) => c.alerts)).toEqual([4, 3, 2, 1, 0]);
    expect(r.met).toBe(true);
    expect(r.alerts).toBe(0);
    expect(r.alert).toBeGreaterThan(5);
    expect(r.alert).toBeLessThan(5.001);
  });
});
