import { news2, describeValues } from './news2';
import { oxygenSaturationRule } from './oxygen-saturation.rule';
import { pulseRule } from './pulse.rule';
import { respirationRateRule } from './respiration-rate.rule';
import { systolicPressureRule } from './systolic-pressure.rule';
import { temperatureRule } from './temperature.rule';

describe('NEWS2 parameters (RCP 2017 chart)', () => {
  it.each([
    [8, 3],
    [9, 1],
    [11, 1],
    [12, 0],
    [20, 0],
    [21, 2],
    [24, 2],
    [25, 3],
  ])('respiration rate %d scores %d', (rr, points) => expect(respirationRateRule.evaluate(rr)).toBe(points));

  it.each([
    [91, 3],
    [92, 2],
    [93, 2],
    [94, 1],
    [95, 1],
    [96, 0],
    [100, 0],
  ])('SpO2 scale 1 %d %% scores %d', (spo2, points) =>
    expect(oxygenSaturationRule.evaluate(spo2)).toBe(points),
  );

  it.each([
    [90, 3],
    [91, 2],
    [100, 2],
    [101, 1],
    [110, 1],
    [111, 0],
    [219, 0],
    [220, 3],
  ])('systolic %d mmHg scores %d', (sbp, points) => expect(systolicPressureRule.evaluate(sbp)).toBe(points));

  it.each([
    [40, 3],
    [41, 1],
    [50, 1],
    [51, 0],
    [90, 0],
    [91, 1],
    [110, 1],
    [111, 2],
    [130, 2],
    [131, 3],
  ])('pulse %d bpm scores %d', (hr, points) => expect(pulseRule.evaluate(hr)).toBe(points));

  it.each([
    [35.0, 3],
    [35.1, 1],
    [36.0, 1],
    [36.1, 0],
    [38.0, 0],
    [38.1, 1],
    [39.0, 1],
    [39.1, 2],
  ])('temperature %d °C scores %d', (t, points) => expect(temperatureRule.evaluate(t)).toBe(points));
});

describe(news2.name, () => {
  it('is quiet for normal vitals', () => {
    expect(news2({ hr: 72, spo2: 98, rr: 14, temp: 36.8, sbp: 122 })).toEqual({
      total: 0,
      points: { hr: 0, spo2: 0, rr: 0, temp: 0, sbp: 0 },
      severity: null,
      drivers: [],
    });
  });

  it('treats a single red parameter as medium (urgent review)', () => {
    const r = news2({ hr: 80, spo2: 88 });
    expect(r.total).toBe(3);
    expect(r.severity).toBe('medium');
    expect(r.drivers).toEqual(['spo2']);
  });

  it('grades aggregates: 1-4 none, 5-6 medium, 7+ high', () => {
    expect(news2({ hr: 100, rr: 22, temp: 38.5 }).severity).toBeNull(); // 1 + 2 + 1
    expect(news2({ hr: 115, rr: 22, temp: 38.5 }).severity).toBe('medium'); // 2 + 2 + 1
    expect(news2({ hr: 135, rr: 26, spo2: 93 }).severity).toBe('high'); // 3 + 3 + 2
  });

  it('ignores vitals it has no rule for and missing ones', () => {
    expect(news2({ steps: 120, dbp: 30 }).total).toBe(0);
  });

  it('describes the driving values for a clinician', () => {
    expect(describeValues(['spo2', 'hr', 'temp'], { spo2: 87.6, hr: 124.2, temp: 38.44 })).toBe(
      'SpO2 88 %, Heart rate 124 bpm, Temperature 38.4 °C',
    );
  });
});
