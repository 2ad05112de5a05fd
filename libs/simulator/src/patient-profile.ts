import { type Random } from './random';

/** Age bands used to report detection quality per subgroup. */
export const SUBGROUPS = ['18-39', '40-64', '65+'] as const;
export type Subgroup = (typeof SUBGROUPS)[number];

/**
 * A second grouping: patients whose own normal sits at a NEWS2 band edge, so a rule that scores the
 * population's bands alerts on them while they are well. low_sbp: usual SBP 92–100 mmHg; low_rr:
 * usual RR 10–12 /min; low_spo2: usual SpO2 93–95 % (e.g. COPD); low_hr: resting HR 48–52 (athlete).
 */
export const BAND_EDGES = ['low_sbp', 'low_rr', 'low_spo2', 'low_hr'] as const;
export type BandEdge = (typeof BAND_EDGES)[number];
/** Share of simulated patients with a band-edge normal. */
export const BAND_EDGE_SHARE = 0.22;

/**
 * A ward (the simulator's patients) is stratified rather than drawn: every third patient's normal
 * sits at a band edge, the kinds in turn, so even a 12-patient test set has each kind.
 */
export function bandEdgeOfPatient(index: number): BandEdge | null {
  return index % 3 === 1 ? BAND_EDGES[Math.floor(index / 3) % BAND_EDGES.length] : null;
}

/** A simulated patient's physiology at rest; everything else (circadian, activity, episodes) moves around it. */
export interface PatientProfile {
  readonly age: number;
  readonly sex: 'female' | 'male';
  /** 0 (sedentary) .. 1 (athlete): lowers resting HR, raises how often and how hard the patient exercises. */
  readonly fitness: number;
  readonly restingHr: number;
  readonly spo2: number;
  readonly rr: number;
  readonly temp: number;
  readonly sbp: number;
  readonly dbp: number;
  /** Which usual vital sits at a NEWS2 band edge, if any. */
  readonly bandEdge: BandEdge | null;
  /** Seconds between cuff-less BP estimates (BP is sparse on wearables): 900–3600. */
  readonly bpIntervalS: number;
  /** Walks and runs per waking day (2–6). */
  readonly boutsPerDay: number;
  /** Local hour the patient usually falls asleep / wakes (0..24). */
  readonly sleepHour: number;
  readonly wakeHour: number;
}

export function subgroupOf(age: number): Subgroup {
  return age < 40 ? '18-39' : age < 65 ? '40-64' : '65+';
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * Draws a plausible adult: baselines follow age, sex and fitness, with person-to-person spread.
 * `edge` fixes whether (and where) their normal sits at a band edge; absent, it is drawn.
 */
export function randomProfile(rng: Random, edge?: BandEdge | null): PatientProfile {
  const drawn = rng.chance(BAND_EDGE_SHARE) ? rng.pick(BAND_EDGES) : null;
  const bandEdge = edge === undefined ? drawn : edge;
  // An athlete is young-ish and fit; a COPD patient older and less fit.
  const age =
    bandEdge === 'low_hr' ? rng.int(18, 55) : bandEdge === 'low_spo2' ? rng.int(50, 90) : rng.int(18, 90);
  const sex = rng.chance(0.5) ? 'female' : 'male';
  const fitness =
    bandEdge === 'low_hr'
      ? rng.uniform(0.8, 1)
      : clamp(rng.normal(0.5 - (age - 50) / 150, 0.2) - (bandEdge === 'low_spo2' ? 0.2 : 0), 0, 1);
  const old = Math.max(0, age - 40);
  const restingHr = clamp(rng.normal(74 - 16 * fitness + (sex === 'female' ? 3 : 0), 5), 53, 95);
  const spo2 = clamp(rng.normal(98 - old * 0.04, 0.6), 95.5, 99.5);
  const rr = clamp(rng.normal(14.5 + old * 0.02, 1.5), 12.5, 19);
  const sbp = Math.round(clamp(rng.normal(112 + old * 0.5 + (sex === 'male' ? 4 : 0), 9), 102, 150));
  const dbp = Math.round(clamp(rng.normal(71 + old * 0.15, 6), 58, 92));
  return {
    age,
    sex,
    fitness: round1(fitness),
    restingHr: round1(bandEdge === 'low_hr' ? rng.uniform(48, 52) : restingHr),
    spo2: round1(bandEdge === 'low_spo2' ? rng.uniform(93, 95) : spo2),
    rr: round1(bandEdge === 'low_rr' ? rng.uniform(10, 12) : rr),
    temp: Math.round(clamp(rng.normal(36.7, 0.18), 36.2, 37.2) * 100) / 100,
    sbp: bandEdge === 'low_sbp' ? rng.int(92, 100) : sbp,
    // A pulse pressure of at least 25 mmHg.
    dbp: bandEdge === 'low_sbp' ? rng.int(55, 64) : Math.min(dbp, sbp - 25),
    bandEdge,
    bpIntervalS: rng.int(900, 3600),
    boutsPerDay: round1(clamp(2 + 4 * fitness * (age < 65 ? 1 : 0.6) + rng.normal(0, 0.5), 2, 6)),
    sleepHour: round1(rng.uniform(21.5, 24)),
    wakeHour: round1(rng.uniform(6, 8)),
  };
}
