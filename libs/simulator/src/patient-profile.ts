import { type Random } from './random';

/** Age bands used to report detection quality per subgroup. */
export const SUBGROUPS = ['18-39', '40-64', '65+'] as const;
export type Subgroup = (typeof SUBGROUPS)[number];

/** A simulated patient's physiology at rest; everything else (circadian, activity, episodes) moves around it. */
export interface PatientProfile {
  readonly age: number;
  readonly sex: 'female' | 'male';
  /** 0 (sedentary) .. 1 (athlete): lowers resting HR, raises how often the patient walks or runs. */
  readonly fitness: number;
  readonly restingHr: number;
  readonly spo2: number;
  readonly rr: number;
  readonly temp: number;
  readonly sbp: number;
  readonly dbp: number;
  /** Seconds between cuff-less BP estimates (BP is sparse on wearables). */
  readonly bpIntervalS: number;
  /** Local hour the patient usually falls asleep / wakes (0..24). */
  readonly sleepHour: number;
  readonly wakeHour: number;
}

export function subgroupOf(age: number): Subgroup {
  return age < 40 ? '18-39' : age < 65 ? '40-64' : '65+';
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Draws a plausible adult: baselines follow age, sex and fitness, with person-to-person spread. */
export function randomProfile(rng: Random): PatientProfile {
  const age = rng.int(18, 90);
  const sex = rng.chance(0.5) ? 'female' : 'male';
  const fitness = clamp(rng.normal(0.5 - (age - 50) / 150, 0.2), 0, 1);
  const old = Math.max(0, age - 40);
  return {
    age,
    sex,
    fitness: round1(fitness),
    restingHr: round1(clamp(rng.normal(74 - 16 * fitness + (sex === 'female' ? 3 : 0), 5), 48, 95)),
    spo2: round1(clamp(rng.normal(98 - old * 0.04, 0.6), 94, 99.5)),
    rr: round1(clamp(rng.normal(14.5 + old * 0.02, 1.5), 11, 19)),
    temp: Math.round(clamp(rng.normal(36.7, 0.18), 36.2, 37.2) * 100) / 100,
    sbp: Math.round(clamp(rng.normal(112 + old * 0.5 + (sex === 'male' ? 4 : 0), 9), 95, 150)),
    dbp: Math.round(clamp(rng.normal(71 + old * 0.15, 6), 58, 92)),
    bpIntervalS: 60,
    sleepHour: round1(rng.uniform(21.5, 24)),
    wakeHour: round1(rng.uniform(6, 8)),
  };
}
