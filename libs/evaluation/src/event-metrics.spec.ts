import {
  classifyAlerts,
  evaluateEvents,
  matchEpisodes,
  type EvaluatedAlert,
  type LabelledEpisode,
  type MonitoredPatient,
} from './event-metrics';

const m = 60_000;
const H12 = 12 * 3600_000;

// A tiny ward worked out by hand (times in minutes, grace 1 min):
//   p1 (young): E1 tachycardia 10–20, E2 desaturation 100–110
//   p2 (old):   E3 tachycardia 50–60, E4 flatline 200–210 (technical), E5 off_wrist 300–305 (technical)
//   alerts: p1 @12 (E1), @15 (E1 again), @400 (false), @111.5 (after E2 + grace: false, E2 missed)
//           p2 @60.5 (E3 within grace), @205 (on the flat-line: technical), @9 (false)
const patients: MonitoredPatient[] = [
  { patientId: 'p1', subgroup: 'young', monitoredMs: H12 },
  { patientId: 'p2', subgroup: 'old', monitoredMs: H12 },
];
const ep = (
  patientId: string,
  type: string,
  start: number,
  end: number,
  category: 'clinical' | 'technical' = 'clinical',
): LabelledEpisode => ({
  patientId,
  type,
  category,
  start: start * m,
  end: end * m,
});
const episodes = [
  ep('p1', 'tachycardia', 10, 20),
  ep('p1', 'desaturation', 100, 110),
  ep('p2', 'tachycardia', 50, 60),
  ep('p2', 'flatline', 200, 210, 'technical'),
  ep('p2', 'off_wrist', 300, 305, 'technical'),
];
const alert = (patientId: string, at: number): EvaluatedAlert => ({ patientId, at: at * m });
const alerts = [
  alert('p1', 12),
  alert('p1', 15),
  alert('p1', 400),
  alert('p2', 60.5),
  alert('p2', 205),
  alert('p2', 9),
  alert('p1', 111.5),
];
const options = { graceMs: 1 * m };

describe(matchEpisodes.name, () => {
  it('takes the first alert starting in [start, end + grace] as the detection', () => {
    expect(matchEpisodes(episodes, alerts, options).map((o) => o.ttdMs)).toEqual([
      2 * m,
      null,
      10.5 * m,
      5 * m,
      null,
    ]);
  });

  it('counts both edges of the window as inside', () => {
    const e = [ep('p1', 'fever', 10, 20)];
    expect(matchEpisodes(e, [alert('p1', 10)], options)[0].ttdMs).toBe(0);
    expect(matchEpisodes(e, [alert('p1', 21)], options)[0].ttdMs).toBe(11 * m);
    expect(matchEpisodes(e, [alert('p1', 21.001)], options)[0].ttdMs).toBeNull();
    expect(matchEpisodes(e, [alert('p1', 9.999)], options)[0].ttdMs).toBeNull();
  });

  it('never matches another patient’s alert', () => {
    expect(matchEpisodes([ep('p1', 'fever', 10, 20)], [alert('p2', 12)], options)[0].ttdMs).toBeNull();
  });
});

describe(classifyAlerts.name, () => {
  it('gives each alert one verdict, clinical before technical', () => {
    expect(classifyAlerts(alerts, episodes, options)).toEqual([
      'true',
      'true',
      'false',
      'true',
      'technical',
      'false',
      'false',
    ]);
    const overlap = [ep('p1', 'off_wrist', 0, 30, 'technical'), ep('p1', 'fever', 10, 20)];
    expect(classifyAlerts([alert('p1', 15), alert('p1', 25)], overlap, options)).toEqual([
      'true',
      'technical',
    ]);
  });
});

describe(evaluateEvents.name, () => {
  const report = evaluateEvents(patients, episodes, alerts, options);

  it('computes the overall figures', () => {
    expect(report).toMatchObject({
      patients: 2,
      patientDays: 1,
      episodes: 3,
      detected: 2,
      alerts: 7,
      trueAlerts: 3,
      technicalAlerts: 1,
      falseAlerts: 3,
      falseAlertsPerPatientDay: 3,
      technicalAlertsPerPatientDay: 1,
    });
    expect(report.recall).toBeCloseTo(2 / 3, 12);
    expect(report.precision).toBeCloseTo(3 / 7, 12);
    // TTDs 2 and 10.5 min: median 6.25, p90 = 2 + 0.9 × 8.5 = 9.65
    expect(report.ttdMedianMs).toBeCloseTo(6.25 * m, 6);
    expect(report.ttdP90Ms).toBeCloseTo(9.65 * m, 6);
  });

  it('breaks recall and time to detect down per clinical type', () => {
    expect(report.byType).toEqual({
      desaturation: { episodes: 1, detected: 0, recall: 0, ttdMedianMs: null, ttdP90Ms: null },
      tachycardia: {
        episodes: 2,
        detected: 2,
        recall: 1,
        ttdMedianMs: 6.25 * m,
        ttdP90Ms: expect.closeTo(9.65 * m, 6) as number,
      },
    });
  });

  it('breaks everything down per subgroup with that subgroup’s patient-days', () => {
    expect(report.bySubgroup.young).toMatchObject({
      patientDays: 0.5,
      episodes: 2,
      detected: 1,
      recall: 0.5,
      alerts: 4,
      trueAlerts: 2,
      falseAlerts: 2,
      precision: 0.5,
      falseAlertsPerPatientDay: 4,
      ttdMedianMs: 2 * m,
    });
    expect(report.bySubgroup.old).toMatchObject({
      episodes: 1,
      detected: 1,
      alerts: 3,
      trueAlerts: 1,
      technicalAlerts: 1,
      falseAlerts: 1,
      falseAlertsPerPatientDay: 2,
      technicalAlertsPerPatientDay: 2,
    });
    expect(report.bySubgroup.old.precision).toBeCloseTo(1 / 3, 12);
  });

  it('reports sensor faults apart from clinical episodes', () => {
    expect(report.technical).toEqual({
      episodes: 2,
      alerted: 1,
      alertedFraction: 0.5,
      byType: { flatline: { episodes: 1, alerted: 1 }, off_wrist: { episodes: 1, alerted: 0 } },
    });
  });

  it('gives null, not 0 or 1, for ratios of nothing', () => {
    const empty = evaluateEvents([{ patientId: 'p', subgroup: 'g', monitoredMs: 0 }], [], [], options);
    expect(empty.recall).toBeNull();
    expect(empty.precision).toBeNull();
    expect(empty.falseAlertsPerPatientDay).toBeNull();
  });
});

describe('evaluateEvents: confounders, observability, groups, acute types', () => {
  const ward: MonitoredPatient[] = [
    { patientId: 'p1', subgroup: 'young', groups: ['band edge'], monitoredMs: H12 },
    { patientId: 'p2', subgroup: 'old', monitoredMs: H12 },
  ];
  // p1: hypotension 100–160 whose first cuff reading is at 130; alert at 131 (1 min after the reading).
  // p2: desaturation 10–20 alerted at 11; exercise 300–330 with two false alerts, 400–420 with none.
  const eps: LabelledEpisode[] = [
    { ...ep('p1', 'hypotension', 100, 160), observableFrom: 130 * m },
    ep('p2', 'desaturation', 10, 20),
    { ...ep('p1', 'hypotension', 600, 610), observableFrom: 611 * m },
  ];
  const raised: EvaluatedAlert[] = [
    { patientId: 'p1', at: 131 * m },
    { patientId: 'p2', at: 11 * m },
    { patientId: 'p2', at: 305 * m },
    { patientId: 'p2', at: 320 * m },
  ];
  const report = evaluateEvents(ward, eps, raised, {
    graceMs: m,
    acuteTypes: ['desaturation'],
    confounders: [
      { patientId: 'p2', type: 'exercise', start: 300 * m, end: 330 * m },
      { patientId: 'p2', type: 'exercise', start: 400 * m, end: 420 * m },
    ],
  });

  it('times a blood-pressure episode from the first reading that could show it', () => {
    expect(report.byType.hypotension).toMatchObject({ episodes: 2, detected: 1, ttdMedianMs: m });
    expect(report.unobservable).toBe(1);
  });

  it('pools the acute types', () => {
    expect(report.acute).toMatchObject({ episodes: 1, detected: 1, ttdMedianMs: m });
  });

  it('counts false alerts during each confounder type apart, and the stretches that drew one', () => {
    expect(report.falseAlerts).toBe(2);
    expect(report.confounders.exercise).toEqual({ confounders: 2, falseAlerts: 2, withFalseAlert: 1 });
  });

  it('reports every group a patient belongs to beside the subgroups', () => {
    expect(Object.keys(report.bySubgroup)).toEqual(['band edge', 'old', 'young']);
    expect(report.bySubgroup['band edge']).toMatchObject({ patients: 1, episodes: 2, detected: 1 });
  });
});

describe('re-announced alerts', () => {
  it('detect an episode (an open alert escalated or updated in it) but are not alerts of their own', () => {
    const open = [alert('p1', 5), { ...alert('p1', 14), reannounced: true }];
    const report = evaluateEvents(patients, [ep('p1', 'bradycardia', 10, 20)], open, options);
    expect(report.detected).toBe(1);
    expect(report.ttdMedianMs).toBe(4 * m);
    expect(report.alerts).toBe(1); // the raise at 5 min, before the episode: false
    expect(report.falseAlerts).toBe(1);
    expect(report.precision).toBe(0);
  });
});
