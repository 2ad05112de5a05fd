import { type Vital } from '@vigil/contracts';
import { type Random } from './random';

/** Anomaly episodes the simulator can play; the technical ones are sensor faults, not the patient. */
export const CLINICAL_EPISODES = [
  'tachycardia',
  'bradycardia',
  'desaturation',
  'fever',
  'hypotension',
  'tachypnoea',
  'irregular_hr',
  'deterioration',
] as const;
export const TECHNICAL_EPISODES = ['flatline', 'off_wrist'] as const;
export const EPISODE_TYPES = [...CLINICAL_EPISODES, ...TECHNICAL_EPISODES] as const;
export type EpisodeType = (typeof EPISODE_TYPES)[number];
export type EpisodeCategory = 'clinical' | 'technical';

export function categoryOf(type: EpisodeType): EpisodeCategory {
  return (TECHNICAL_EPISODES as readonly string[]).includes(type) ? 'technical' : 'clinical';
}

/** An episode to play: on one patient, between two measurement times (epoch ms, end exclusive). */
export interface EpisodePlan {
  readonly patientId: string;
  readonly type: EpisodeType;
  readonly start: number;
  readonly end: number;
  /** 0..1 scales the deviation; default 1. */
  readonly severity?: number;
  /** For a flat-line: which sensor sticks (default hr). */
  readonly vital?: Vital;
  /** How long the deviation takes to build up and to fade (default 2 min; fever 30 % of its length). */
  readonly rampMs?: number;
}

/** A labelled episode as recorded in labels.json. */
export interface EpisodeLabel {
  readonly patientId: string;
  readonly type: EpisodeType;
  readonly category: EpisodeCategory;
  readonly start: number;
  readonly end: number;
  /** The vitals that depart from normal, most telling first. */
  readonly vitals: readonly Vital[];
}

export function vitalsOf(type: EpisodeType, flatlineVital: Vital = 'hr'): Vital[] {
  switch (type) {
    case 'tachycardia':
    case 'bradycardia':
    case 'irregular_hr':
      return ['hr'];
    case 'desaturation':
      return ['spo2', 'rr'];
    case 'fever':
      return ['temp', 'hr'];
    case 'hypotension':
      return ['sbp', 'dbp'];
    case 'tachypnoea':
      return ['rr'];
    case 'deterioration':
      return ['hr', 'rr', 'spo2', 'temp', 'sbp'];
    case 'flatline':
      return [flatlineVital];
    case 'off_wrist':
      return ['hr', 'spo2', 'rr', 'temp'];
  }
}

/** Types a demo opens with: quick to show, and each one a NEWS2 parameter as well as a model signal. */
export const DEMO_EPISODES = [
  'desaturation',
  'tachycardia',
  'tachypnoea',
  'hypotension',
  'bradycardia',
  'fever',
] as const satisfies readonly EpisodeType[];

/** The demo's first episode of patient `index`: staggered 30 s apart from 20 s in, building up over 20 s. */
export function demoOpeningPlan(patientId: string, index: number, startMs: number): EpisodePlan {
  const start = startMs + 20_000 + index * 30_000;
  return {
    patientId,
    type: DEMO_EPISODES[index % DEMO_EPISODES.length],
    start,
    end: start + 8 * 60_000,
    severity: 1,
    rampMs: 20_000,
  };
}

/** Typical length in minutes [min, max] of each episode type in the default schedule. */
const DURATION_MIN: Record<EpisodeType, readonly [number, number]> = {
  tachycardia: [6, 20],
  bradycardia: [6, 20],
  desaturation: [4, 15],
  fever: [40, 120],
  // Long enough for BP measured every 15–60 min to see it (the label stands either way).
  hypotension: [30, 90],
  tachypnoea: [6, 20],
  irregular_hr: [10, 40],
  deterioration: [50, 80],
  flatline: [5, 20],
  off_wrist: [5, 30],
};

/**
 * The default schedule for one patient: episodes separated by normal stretches (mean gap
 * `meanGapMin`), so a recording has both labelled events and plenty of normal data to learn from.
 */
export class DefaultEpisodeSchedule {
  private nextStart: number;

  constructor(
    private readonly patientId: string,
    private readonly rng: Random,
    startMs: number,
    private readonly meanGapMin = 150,
  ) {
    this.nextStart = startMs + this.gapMs();
  }

  /** Plans every episode that starts before `untilMs` and was not returned before. */
  plansUntil(untilMs: number): EpisodePlan[] {
    const plans: EpisodePlan[] = [];
    while (this.nextStart < untilMs) {
      const type = this.rng.chance(0.8)
        ? this.rng.pick(CLINICAL_EPISODES)
        : this.rng.pick(TECHNICAL_EPISODES);
      const [lo, hi] = DURATION_MIN[type];
      const start = this.nextStart;
      const end = start + Math.round(this.rng.uniform(lo, hi) * 60) * 1000;
      const severity = Math.round(this.rng.uniform(0.7, 1) * 100) / 100;
      const vital: Vital = this.rng.pick(['hr', 'spo2'] as const);
      plans.push({
        patientId: this.patientId,
        type,
        start,
        end,
        severity,
        ...(type === 'flatline' ? { vital } : {}),
      });
      this.nextStart = end + this.gapMs();
    }
    return plans;
  }

  private gapMs(): number {
    // A floor keeps episodes apart so each has normal data before it.
    const floor = Math.min(20, this.meanGapMin / 2);
    return Math.round((floor + this.rng.exponential(this.meanGapMin - floor)) * 60) * 1000;
  }
}
