import { VITAL_SPECS, VITALS, type Vital } from '@vigil/contracts';
import { DefaultEpisodeSchedule, type EpisodePlan, type EpisodeType } from './episodes';
import { Random } from './random';
import { VitalsSimulator, type SimulatedReading } from './vitals-simulator';

const START = Date.UTC(2026, 0, 5, 10, 0, 0);
const MIN = 60_000;

function run(sim: VitalsSimulator, seconds: number): SimulatedReading[] {
  const out: SimulatedReading[] = [];
  for (let i = 0; i < seconds; i++) out.push(...sim.tick());
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const valuesOf = (rs: SimulatedReading[], v: Vital, from: number, to: number) =>
  rs.filter((r) => r.ts >= from && r.ts < to && r.values[v] !== undefined).map((r) => r.values[v]!);

describe(VitalsSimulator.name, () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = run(new VitalsSimulator({ seed: 7, patients: 3, startMs: START }), 600);
    const b = run(new VitalsSimulator({ seed: 7, patients: 3, startMs: START }), 600);
    const c = run(new VitalsSimulator({ seed: 8, patients: 3, startMs: START }), 600);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('names patients and devices, counts seq per device and spaces ts by the rate', () => {
    const sim = new VitalsSimulator({ seed: 1, patients: 2, startMs: START, rateHz: 2, episodes: 'none' });
    expect(sim.patients.map((p) => [p.patientId, p.deviceId])).toEqual([
      ['pat-0001', 'dev-0001'],
      ['pat-0002', 'dev-0002'],
    ]);
    const rs = run(sim, 3);
    expect(rs.filter((r) => r.deviceId === 'dev-0002').map((r) => [r.ts - START, r.seq])).toEqual([
      [0, 0],
      [500, 1],
      [1000, 2],
    ]);
  });

  it('keeps a patient identical when more patients are added', () => {
    const two = run(new VitalsSimulator({ seed: 3, patients: 2, startMs: START }), 300).filter(
      (r) => r.patientId === 'pat-0001',
    );
    const five = run(new VitalsSimulator({ seed: 3, patients: 5, startMs: START }), 300).filter(
      (r) => r.patientId === 'pat-0001',
    );
    expect(five).toEqual(two);
  });

  it('produces plausible, contract-valid vitals with sparse BP and some dropouts', () => {
    const rs = run(new VitalsSimulator({ seed: 11, patients: 10, startMs: START, episodes: 'none' }), 3600);
    const outOfRange = rs.flatMap((r) =>
      VITALS.filter(
        (v) =>
          r.values[v] !== undefined &&
          !(r.values[v] >= VITAL_SPECS[v].min && r.values[v] <= VITAL_SPECS[v].max),
      ),
    );
    expect(outOfRange).toEqual([]);
    const all = (v: Vital) => valuesOf(rs, v, START, START + 3600_000);
    expect(mean(all('hr'))).toBeGreaterThan(55);
    expect(mean(all('hr'))).toBeLessThan(95);
    expect(mean(all('spo2'))).toBeGreaterThan(95);
    expect(mean(all('rr'))).toBeGreaterThan(11);
    expect(mean(all('rr'))).toBeLessThan(20);
    expect(mean(all('temp'))).toBeGreaterThan(36.2);
    expect(mean(all('temp'))).toBeLessThan(37.4);
    expect(mean(all('sbp'))).toBeGreaterThan(100);
    expect(mean(all('sbp'))).toBeLessThan(150);
    expect(all('sbp').length / rs.length).toBeLessThan(0.005); // BP every 15–60 min
    expect(all('sbp').length).toBeGreaterThan(0);
    const missingHr = rs.filter((r) => r.values.hr === undefined).length;
    expect(missingHr).toBeGreaterThan(0);
    expect(missingHr / rs.length).toBeLessThan(0.05);
  });

  it('raises heart rate with steps (activity drives HR)', () => {
    const rs = run(new VitalsSimulator({ seed: 5, patients: 20, startMs: START, episodes: 'none' }), 3600);
    const walking = rs
      .filter((r) => (r.values.steps ?? 0) > 0 && r.values.hr !== undefined)
      .map((r) => r.values.hr!);
    const still = rs
      .filter((r) => r.values.steps === 0 && r.values.hr !== undefined)
      .map((r) => r.values.hr!);
    expect(walking.length).toBeGreaterThan(100);
    expect(mean(walking) - mean(still)).toBeGreaterThan(15);
  });

  it('follows a circadian rhythm: lower HR at night', () => {
    const night = Date.UTC(2026, 0, 5, 3, 0, 0);
    const day = run(new VitalsSimulator({ seed: 9, patients: 10, startMs: START, episodes: 'none' }), 1800);
    const sleep = run(new VitalsSimulator({ seed: 9, patients: 10, startMs: night, episodes: 'none' }), 1800);
    expect(
      mean(valuesOf(day, 'hr', START, START + 1800_000)) -
        mean(valuesOf(sleep, 'hr', night, night + 1800_000)),
    ).toBeGreaterThan(5);
  });

  const cases: [EpisodeType, Vital, (during: number, before: number) => void][] = [
    ['tachycardia', 'hr', (d, b) => expect(d - b).toBeGreaterThan(35)],
    [
      'bradycardia',
      'hr',
      (d, b) => {
        expect(d).toBeLessThan(42);
        expect(b - d).toBeGreaterThan(8);
      },
    ],
    ['desaturation', 'spo2', (d, b) => expect(b - d).toBeGreaterThan(6)],
    ['fever', 'temp', (d, b) => expect(d - b).toBeGreaterThan(1)],
    ['hypotension', 'sbp', (d, b) => expect(b - d).toBeGreaterThan(25)],
    ['tachypnoea', 'rr', (d, b) => expect(d - b).toBeGreaterThan(9)],
  ];
  it.each(cases)('plays a labelled %s that moves %s', (type, vital, check) => {
    // At night the patient is at rest throughout, so activity does not blur the comparison.
    const night = Date.UTC(2026, 0, 5, 1, 0, 0);
    const start = night + 20 * MIN;
    const end = start + 60 * MIN;
    const plan: EpisodePlan = { patientId: 'pat-0001', type, start, end };
    // BP every minute here, so the hypotension case has readings to compare.
    const sim = new VitalsSimulator({
      seed: 21,
      patients: 1,
      startMs: night,
      episodes: [plan],
      bpIntervalS: 60,
    });
    const rs = run(sim, 80 * 60);
    // Compare the episode's middle with the stretch before it.
    check(
      mean(valuesOf(rs, vital, start + 25 * MIN, end - 10 * MIN)),
      mean(valuesOf(rs, vital, night, start)),
    );
    expect(rs.filter((r) => r.label !== null).map((r) => r.ts)).toEqual(
      rs.filter((r) => r.ts >= start && r.ts < end).map((r) => r.ts),
    );
    expect(rs.find((r) => r.label)?.label).toEqual({ type, category: 'clinical' });
  });

  it('makes irregular HR far more variable second to second', () => {
    const start = START + 10 * MIN;
    const rs = run(
      new VitalsSimulator({
        seed: 2,
        patients: 1,
        startMs: START,
        episodes: [{ patientId: 'pat-0001', type: 'irregular_hr', start, end: start + 20 * MIN }],
      }),
      30 * 60,
    );
    const jumps = (from: number, to: number) => {
      const hr = valuesOf(rs, 'hr', from, to);
      return mean(hr.slice(1).map((x, i) => Math.abs(x - hr[i])));
    };
    expect(jumps(start + 5 * MIN, start + 15 * MIN)).toBeGreaterThan(4 * jumps(START, start));
  });

  it('drifts several vitals together during a gradual deterioration', () => {
    const start = START + 10 * MIN;
    const end = start + 60 * MIN;
    const rs = run(
      new VitalsSimulator({
        seed: 4,
        patients: 1,
        startMs: START,
        episodes: [{ patientId: 'pat-0001', type: 'deterioration', start, end }],
      }),
      75 * 60,
    );
    const late = (v: Vital) => mean(valuesOf(rs, v, end - 15 * MIN, end - 6 * MIN));
    const early = (v: Vital) => mean(valuesOf(rs, v, START, start));
    expect(late('hr') - early('hr')).toBeGreaterThan(15);
    expect(late('rr') - early('rr')).toBeGreaterThan(5);
    expect(early('spo2') - late('spo2')).toBeGreaterThan(3);
    expect(late('temp') - early('temp')).toBeGreaterThan(0.6);
  });

  it('labels sensor faults as technical: flat-line repeats one value, off-wrist drops the optical vitals', () => {
    const start = START + 5 * MIN;
    const plans: EpisodePlan[] = [
      { patientId: 'pat-0001', type: 'flatline', start, end: start + 10 * MIN, vital: 'spo2' },
      { patientId: 'pat-0002', type: 'off_wrist', start, end: start + 10 * MIN },
    ];
    const rs = run(new VitalsSimulator({ seed: 6, patients: 2, startMs: START, episodes: plans }), 20 * 60);
    const during = (id: string) =>
      rs.filter((r) => r.patientId === id && r.ts >= start && r.ts < start + 10 * MIN);
    expect(
      new Set(
        during('pat-0001')
          .map((r) => r.values.spo2)
          .filter((x) => x !== undefined),
      ).size,
    ).toBe(1);
    expect(
      during('pat-0002').every(
        (r) => r.values.hr === undefined && r.values.spo2 === undefined && r.values.rr === undefined,
      ),
    ).toBe(true);
    expect(
      during('pat-0002')
        .filter((r) => r.values.temp !== undefined)
        .at(-1)!.values.temp,
    ).toBeLessThan(33);
    expect(during('pat-0001')[0].label).toEqual({ type: 'flatline', category: 'technical' });
    expect(during('pat-0002')[0].label).toEqual({ type: 'off_wrist', category: 'technical' });
  });

  it('schedules default episodes with gaps of normal data and reports them clipped to a span', () => {
    const sim = new VitalsSimulator({ seed: 13, patients: 10, startMs: START, episodes: 'default' });
    run(sim, 6 * 3600);
    const eps = sim.episodesUntil(sim.now);
    expect(eps.length).toBeGreaterThan(5);
    for (const e of eps) {
      expect(e.end).toBeGreaterThan(e.start);
      expect(e.end).toBeLessThanOrEqual(sim.now);
      expect(e.vitals.length).toBeGreaterThan(0);
    }
  });

  it('plays default episodes more often with a shorter mean gap', () => {
    const count = (episodeGapMin?: number) => {
      const sim = new VitalsSimulator({
        seed: 13,
        patients: 5,
        startMs: START,
        episodes: 'default',
        episodeGapMin,
      });
      run(sim, 4 * 3600);
      return sim.episodesUntil(sim.now).length;
    };
    expect(count(30)).toBeGreaterThan(2 * count());
  });

  it('opens a demo with one quick, staggered episode per patient', () => {
    const sim = new VitalsSimulator({ seed: 3, patients: 3, startMs: START, episodes: 'demo' });
    const rs = run(sim, 5 * 60);
    expect(sim.episodes.slice(0, 3).map((e) => [e.patientId, e.type, (e.start - START) / 1000])).toEqual([
      ['pat-0001', 'desaturation', 20],
      ['pat-0002', 'tachycardia', 50],
      ['pat-0003', 'tachypnoea', 80],
    ]);
    // Built up within 20 s: the first patient's SpO2 is well down a minute in.
    const first = rs.filter((r) => r.patientId === 'pat-0001');
    expect(mean(valuesOf(first, 'spo2', START + 60_000, START + 120_000))).toBeLessThan(
      mean(valuesOf(first, 'spo2', START, START + 20_000)) - 6,
    );
  });

  describe('a day of a ward (24 h, 8 patients, no episodes)', () => {
    const DAY = Date.UTC(2026, 0, 5, 0, 0, 0);
    let cache: { sim: VitalsSimulator; rs: SimulatedReading[] } | null = null;
    const day = () => {
      if (!cache) {
        const sim = new VitalsSimulator({ seed: 5, patients: 8, startMs: DAY, episodes: 'none' });
        cache = { sim, rs: run(sim, 24 * 3600) };
      }
      return cache;
    };
    const byPatient = new Map<string, SimulatedReading[]>();
    const ofPatient = (id: string) => {
      let list = byPatient.get(id);
      if (!list) byPatient.set(id, (list = day().rs.filter((r) => r.patientId === id)));
      return list;
    };
    const confounders = (type: 'exercise' | 'artefact') =>
      day()
        .sim.confoundersUntil(day().sim.now)
        .filter((c) => c.type === type);

    it('labels every walk and run, with its recovery, as an exercise confounder: several a day, 5–40 min', () => {
      const { sim, rs } = day();
      const bouts = confounders('exercise');
      const perPatient = sim.patients.map((p) => bouts.filter((b) => b.patientId === p.patientId).length);
      expect(Math.min(...perPatient)).toBeGreaterThanOrEqual(1);
      expect(mean(perPatient)).toBeGreaterThanOrEqual(2);
      expect(mean(perPatient)).toBeLessThanOrEqual(6);
      const minutes = bouts.map((b) => (b.end - b.start) / MIN);
      expect(minutes.filter((m) => m >= 5 && m <= 50).length / minutes.length).toBeGreaterThan(0.9);
      // Every step taken lies inside an exercise confounder of that patient.
      const unlabelled = rs.filter(
        (r) =>
          (r.values.steps ?? 0) > 0 &&
          !bouts.some((b) => b.patientId === r.patientId && r.ts >= b.start && r.ts < b.end),
      );
      expect(unlabelled).toEqual([]);
    });

    it('lets HR and RR recover over minutes after a bout, inside the label', () => {
      const { sim } = day();
      const tails = confounders('exercise').flatMap((b) => {
        const mine = ofPatient(b.patientId).filter((r) => r.ts >= b.start - 10 * MIN && r.ts < b.end);
        const lastStep = mine.filter((r) => (r.values.steps ?? 0) > 0).at(-1);
        if (!lastStep || b.end - b.start < 10 * MIN) return [];
        const before = valuesOf(mine, 'hr', b.start - 10 * MIN, b.start);
        const justAfter = valuesOf(mine, 'hr', lastStep.ts + 5_000, lastStep.ts + 65_000);
        return before.length && justAfter.length
          ? [{ tailMin: (b.end - lastStep.ts) / MIN, raised: mean(justAfter) - mean(before) }]
          : [];
      });
      expect(tails.length).toBeGreaterThan(10);
      for (const t of tails) {
        expect(t.tailMin).toBeGreaterThan(2);
        expect(t.tailMin).toBeLessThan(9);
      }
      // A minute after stopping, HR is still well above what it was before the bout.
      expect(mean(tails.map((t) => t.raised))).toBeGreaterThan(8);
      // Fit young patients who run reach 130–170 bpm.
      const runners = sim.patients.filter((p) => p.profile.age < 40 && p.profile.fitness >= 0.6);
      expect(runners.length).toBeGreaterThan(0);
      const peaks = runners.flatMap((p) =>
        confounders('exercise')
          .filter((b) => b.patientId === p.patientId)
          .map((b) => {
            const hr = valuesOf(ofPatient(p.patientId), 'hr', b.start, b.end).sort((x, y) => x - y);
            return hr[Math.floor(hr.length * 0.9)];
          }),
      );
      expect(Math.max(...peaks)).toBeGreaterThanOrEqual(130);
      expect(Math.max(...peaks)).toBeLessThanOrEqual(170);
    });

    it('plays a few motion artefacts a patient-day, 1–3 samples each, labelled and more likely while moving', () => {
      const { sim } = day();
      const artefacts = confounders('artefact');
      expect(artefacts.length / sim.patients.length).toBeGreaterThanOrEqual(1);
      expect(artefacts.length / sim.patients.length).toBeLessThanOrEqual(10);
      for (const a of artefacts) expect([1000, 2000, 3000]).toContain(a.end - a.start);
      // Each one shows (unless that sensor happened to drop out): HR off by 30+ bpm or ≤ 40, or SpO2 ≤ 88.
      const shown = artefacts.filter((a) => {
        const mine = ofPatient(a.patientId);
        const usual = valuesOf(mine, 'hr', a.start - 20_000, a.start);
        return mine
          .filter((r) => r.ts >= a.start && r.ts < a.end)
          .some(
            (r) =>
              (r.values.hr !== undefined && (r.values.hr <= 40 || r.values.hr > mean(usual) + 30)) ||
              (r.values.spo2 !== undefined && r.values.spo2 <= 88),
          );
      });
      expect(shown.length / artefacts.length).toBeGreaterThan(0.9);
      const bouts = confounders('exercise');
      const activeMs = bouts.reduce((t, b) => t + b.end - b.start, 0);
      const duringBouts = artefacts.filter((a) =>
        bouts.some((b) => b.patientId === a.patientId && a.start >= b.start && a.start < b.end),
      ).length;
      const perActiveHour = duringBouts / (activeMs / 3600_000);
      const perRestHour =
        (artefacts.length - duringBouts) / ((sim.patients.length * 24 * 3600_000 - activeMs) / 3600_000);
      expect(perActiveHour).toBeGreaterThan(5 * perRestHour);
    });

    it('measures at realistic cadences: temperature each minute, BP every 15–60 min, SpO2 and RR to 0.1', () => {
      const { sim, rs } = day();
      for (const p of sim.patients) {
        const mine = ofPatient(p.patientId);
        const temps = mine.filter((r) => r.values.temp !== undefined).map((r) => r.ts);
        expect(temps.length).toBeGreaterThan(1380);
        expect(temps.length).toBeLessThanOrEqual(1440);
        expect(temps.slice(1).every((t, i) => (t - temps[i]) % 60_000 === 0)).toBe(true);
        expect(p.profile.bpIntervalS).toBeGreaterThanOrEqual(900);
        expect(p.profile.bpIntervalS).toBeLessThanOrEqual(3600);
        const bp = mine.filter((r) => r.values.sbp !== undefined).map((r) => r.ts);
        expect(bp.length).toBeGreaterThanOrEqual(Math.floor((24 * 3600) / p.profile.bpIntervalS) - 2);
        // A gap is one interval, or two or more when the patient was running at measurement time.
        for (let i = 1; i < bp.length; i++)
          expect((bp[i] - bp[i - 1]) % (p.profile.bpIntervalS * 1000)).toBe(0);
      }
      const decimals = (x: number) => (String(x).split('.')[1] ?? '').length;
      const most = (v: Vital) =>
        rs.reduce((m, r) => (r.values[v] === undefined ? m : Math.max(m, decimals(r.values[v]))), 0);
      expect([most('hr'), most('spo2'), most('rr'), most('temp'), most('sbp'), most('steps')]).toEqual([
        0, 1, 1, 2, 0, 0,
      ]);
    });

    it('gives band-edge patients their own normal at a NEWS2 band edge', () => {
      const { sim } = day();
      for (const p of sim.patients) expect(p.bandEdge).toBe(p.profile.bandEdge);
      const edge = sim.patients.filter((p) => p.bandEdge === 'low_hr');
      for (const p of edge) {
        const awakeRest = ofPatient(p.patientId).filter(
          (r) => r.ts >= DAY + 12 * 3600_000 && r.ts < DAY + 20 * 3600_000 && r.values.steps === 0,
        );
        expect(mean(valuesOf(awakeRest, 'hr', DAY, DAY + 24 * 3600_000))).toBeLessThan(60);
      }
    });
  });

  it('keeps confounders deterministic for a seed', () => {
    const confounders = (seed: number) => {
      const sim = new VitalsSimulator({ seed, patients: 4, startMs: START, episodes: 'none' });
      for (let i = 0; i < 3 * 3600; i++) sim.tick();
      return sim.confoundersUntil(sim.now);
    };
    const a = confounders(17);
    expect(a.length).toBeGreaterThan(0);
    expect(confounders(17)).toEqual(a);
    expect(confounders(18)).not.toEqual(a);
  });

  it('clips a confounder still going to the end of the span', () => {
    const sim = new VitalsSimulator({ seed: 5, patients: 12, startMs: START, episodes: 'none' });
    const openNow = () =>
      sim.confoundersUntil(sim.now).filter((c) => c.type === 'exercise' && c.end === sim.now);
    while (openNow().length === 0 && sim.now < START + 6 * 3600_000) sim.tick();
    const open = openNow();
    expect(open.length).toBeGreaterThan(0);
    run(sim, 3600);
    const later = new Map(sim.confoundersUntil(sim.now).map((c) => [`${c.patientId}@${c.start}`, c.end]));
    for (const c of open) expect(later.get(`${c.patientId}@${c.start}`)).toBeGreaterThan(c.end);
  });

  it('plays no motion artefact on a sensor that is stuck or off the wrist', () => {
    const sim = new VitalsSimulator({ seed: 8, patients: 10, startMs: START, episodeGapMin: 20 });
    for (let i = 0; i < 8 * 3600; i++) sim.tick();
    const faults = sim.episodesUntil(sim.now).filter((e) => e.category === 'technical');
    const artefacts = sim.confoundersUntil(sim.now).filter((c) => c.type === 'artefact');
    expect(faults.length).toBeGreaterThan(5);
    expect(artefacts.length).toBeGreaterThan(5);
    const inFault = artefacts.filter((a) =>
      faults.some((f) => f.patientId === a.patientId && a.start >= f.start && a.start < f.end),
    );
    expect(inFault).toEqual([]);
  });

  it('makes default hypotension episodes 30–90 min long, so sparse BP can see them', () => {
    const schedule = new DefaultEpisodeSchedule('pat-0001', new Random(3), START, 30);
    const hypo = schedule.plansUntil(START + 2000 * 3600_000).filter((e) => e.type === 'hypotension');
    expect(hypo.length).toBeGreaterThan(20);
    for (const e of hypo) {
      expect(e.end - e.start).toBeGreaterThanOrEqual(30 * MIN);
      expect(e.end - e.start).toBeLessThanOrEqual(90 * MIN);
    }
  });

  it('measures BP each minute in a demo, so its opening hypotension shows at once', () => {
    const sim = new VitalsSimulator({ seed: 3, patients: 4, startMs: START, episodes: 'demo' });
    const rs = run(sim, 10 * 60);
    expect(
      rs.filter((r) => r.patientId === 'pat-0004' && r.values.sbp !== undefined).length,
    ).toBeGreaterThanOrEqual(9);
  });
});
