import { bootstrapEventIntervals } from './bootstrap';
import { type EvaluatedAlert, type LabelledEpisode, type MonitoredPatient } from './event-metrics';

const day = 24 * 3600_000;
const m = 60_000;
const options = { resamples: 400, seed: 7, level: 0.9 };

describe(bootstrapEventIntervals.name, () => {
  it('collapses to the point value when every patient looks the same', () => {
    // Each of 5 patients: one episode, detected, and one false alert per day.
    const patients: MonitoredPatient[] = Array.from({ length: 5 }, (_, i) => ({
      patientId: `p${i}`,
      subgroup: 'g',
      monitoredMs: day,
    }));
    const episodes: LabelledEpisode[] = patients.map((p) => ({
      patientId: p.patientId,
      type: 'fever',
      category: 'clinical',
      start: 10 * m,
      end: 20 * m,
    }));
    const alerts: EvaluatedAlert[] = patients.flatMap((p) => [
      { patientId: p.patientId, at: 12 * m },
      { patientId: p.patientId, at: 100 * m },
    ]);
    const ci = bootstrapEventIntervals(patients, episodes, alerts, { graceMs: 0 }, options);
    expect(ci.recall).toEqual({ low: 1, high: 1 });
    expect(ci.precision).toEqual({ low: 0.5, high: 0.5 });
    expect(ci.falseAlertsPerPatientDay).toEqual({ low: 1, high: 1 });
  });

  it('spreads when patients differ, around the point value, and is the same for the same seed', () => {
    // 10 patients with one episode each; 5 detected: recall 0.5 overall.
    const patients: MonitoredPatient[] = Array.from({ length: 10 }, (_, i) => ({
      patientId: `p${i}`,
      subgroup: 'g',
      monitoredMs: day,
    }));
    const episodes: LabelledEpisode[] = patients.map((p) => ({
      patientId: p.patientId,
      type: 'fever',
      category: 'clinical',
      start: 10 * m,
      end: 20 * m,
    }));
    const alerts: EvaluatedAlert[] = patients
      .slice(0, 5)
      .map((p) => ({ patientId: p.patientId, at: 12 * m }));
    const a = bootstrapEventIntervals(patients, episodes, alerts, { graceMs: 0 }, options);
    const b = bootstrapEventIntervals(patients, episodes, alerts, { graceMs: 0 }, options);
    expect(a).toEqual(b);
    // Binomial-like spread of a mean of 10 coin flips: the central 90 % is about 0.2–0.8.
    expect(a.recall.low).toBeGreaterThanOrEqual(0.1);
    expect(a.recall.low).toBeLessThanOrEqual(0.3);
    expect(a.recall.high).toBeGreaterThanOrEqual(0.7);
    expect(a.recall.high).toBeLessThanOrEqual(0.9);
    expect(a.precision).toEqual({ low: 1, high: 1 });
  });
});
