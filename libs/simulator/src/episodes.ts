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

/** Typical length in minutes [min, max] of each episode type in the default schedule. */
const DURATION_MIN: Record<EpisodeType, readonly [number, number]> = {
  tachycardia: [6, 20],
  bradycardia: [6, 20],
  desaturation: [4, 15],
  fever: [40, 120],
  hypotension: [10, 30],
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
      const type = this.rng.chance(0.8) ? this.rng.pick(CLINICAL_EPISODES) : this.rng.pick(TECHNICAL_EPISODES);
      const [lo, hi] = DURATION_MIN[type];
      const start = this.nextStart;
      const end = start + Math.round(this.rng.uniform(lo, hi) * 60) * 1000;
      const severity = Math.round(this.rng.uniform(0.7, 1) * 100) / 100;
      const vital: Vital = this.rng.pick(['hr', 'spo2'] as const);
      plans.push({ patientId: this.patientId, type, start, end, severity, ...(type === 'flatline' ? { vital } : {}) });
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
