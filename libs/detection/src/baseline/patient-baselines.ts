import { type ActivityState } from '../context/activity-tracker';
import { type EstimatePrior, type EstimateState, RobustEstimate } from './robust-estimate';

/** The vitals with a personal normal (steps are context, not a vital sign). */
export const BASELINE_VITALS = ['hr', 'spo2', 'rr', 'temp', 'sbp', 'dbp'] as const;
export type BaselineVital = (typeof BASELINE_VITALS)[number];
/** Beat-to-beat variability of the heart rate: a rhythm, not a level (atrial fibrillation shows here). */
export type BaselineSignal = BaselineVital | 'hrIrregularity';

/** Contexts with a normal of their own. */
export type BaselineContext = 'day' | 'night' | 'active';

/** Recovery is a return to rest: judged against the rest normal, with raised HR and RR expected. */
export function contextOf(activity: ActivityState, night: boolean): BaselineContext {
  return activity === 'active' ? 'active' : night ? 'night' : 'day';
}

const MIN = 60_000;
const dense = (loc: number, spread: number, spreadFloor: number): EstimatePrior => ({
  loc,
  spread,
  spreadFloor,
  priorMs: 5 * MIN,
  memoryMs: 240 * MIN,
  warmupMs: 30 * MIN,
  maxStepMs: MIN,
});

/**
 * Population priors (adults at rest, awake) and how fast each vital's normal is learned. Dense
 * vitals (every second) warm up in 30 min and remember about four hours (a slow deterioration must
 * not become the patient's normal on its way); temperature (about each
 * minute) in 30 min; blood pressure (every 15–60 min) in 90 min, remembering half a day.
 */
export const BASELINE_PRIORS: Readonly<Record<BaselineSignal, EstimatePrior>> = {
  hr: dense(75, 6, 4),
  spo2: dense(97, 1, 0.8),
  rr: dense(15, 1.5, 1.2),
  hrIrregularity: dense(1.5, 0.7, 0.5),
  temp: {
    loc: 36.8,
    spread: 0.25,
    spreadFloor: 0.15,
    priorMs: 10 * MIN,
    memoryMs: 120 * MIN,
    warmupMs: 30 * MIN,
    maxStepMs: 5 * MIN,
    spreadClip: 2,
  },
  sbp: {
    loc: 120,
    spread: 10,
    spreadFloor: 6,
    priorMs: 30 * MIN,
    memoryMs: 720 * MIN,
    warmupMs: 90 * MIN,
    maxStepMs: 60 * MIN,
    spreadClip: 2,
  },
  dbp: {
    loc: 75,
    spread: 7,
    spreadFloor: 4,
    priorMs: 30 * MIN,
    memoryMs: 720 * MIN,
    warmupMs: 90 * MIN,
    maxStepMs: 60 * MIN,
    spreadClip: 2,
  },
};

/**
 * What changes between contexts before a context has learned its own normal: sleep lowers HR, RR
 * and BP a little; activity raises HR, RR and SBP and widens their spread.
 */
const SHIFTS: Readonly<
  Record<Exclude<BaselineContext, 'day'>, Readonly<Record<BaselineSignal, readonly [number, number]>>>
> = {
  night: {
    hr: [-8, 1],
    spo2: [-0.5, 1],
    rr: [-1.5, 1],
    temp: [-0.2, 1],
    sbp: [-10, 1],
    dbp: [-7, 1],
    hrIrregularity: [0, 1],
  },
  active: {
    hr: [30, 3],
    spo2: [-0.5, 1.5],
    rr: [6, 3],
    temp: [0.3, 1.5],
    sbp: [20, 2],
    dbp: [5, 1.5],
    hrIrregularity: [0, 1.5],
  },
};

export interface Expected {
  readonly usual: number;
  readonly spread: number;
  /** Learned from enough of the patient's own data; before that only population rules apply. */
  readonly ready: boolean;
}

export type BaselineSnapshot = Partial<
  Record<BaselineContext, Partial<Record<BaselineSignal, EstimateState>>>
>;

/**
 * One patient's normal per vital and per context (day rest, night rest, active and recovering).
 * A context seen for the first time starts from the day's estimate moved by the context's known
 * offset, so a first night does not start from the population again.
 */
export class PatientBaselines {
  private readonly estimates: Partial<
    Record<BaselineContext, Partial<Record<BaselineSignal, RobustEstimate>>>
  > = {};

  expected(signal: BaselineSignal, context: BaselineContext): Expected {
    const e = this.estimate(signal, context);
    return { usual: e.loc, spread: e.spread, ready: e.ready };
  }

  learn(signal: BaselineSignal, context: BaselineContext, x: number, ts: number, locate = true): void {
    this.estimate(signal, context).learn(x, ts, locate);
  }

  snapshot(): BaselineSnapshot {
    const out: BaselineSnapshot = {};
    for (const [c, byVital] of Object.entries(this.estimates) as [
      BaselineContext,
      Partial<Record<BaselineSignal, RobustEstimate>>,
    ][]) {
      out[c] = Object.fromEntries(Object.entries(byVital).map(([v, e]) => [v, e.state()]));
    }
    return out;
  }

  restore(snapshot: BaselineSnapshot): void {
    for (const [c, byVital] of Object.entries(snapshot) as [
      BaselineContext,
      Partial<Record<BaselineSignal, EstimateState>>,
    ][]) {
      const target = (this.estimates[c] ??= {});
      for (const [v, state] of Object.entries(byVital) as [BaselineSignal, EstimateState][])
        target[v] = new RobustEstimate(BASELINE_PRIORS[v], state);
    }
  }

  private estimate(signal: BaselineSignal, context: BaselineContext): RobustEstimate {
    const byVital = (this.estimates[context] ??= {});
    let e = byVital[signal];
    if (!e) {
      e = this.derive(signal, context);
      byVital[signal] = e;
    }
    return e;
  }

  /**
   * A context's first estimate: from a context already learned, moved by the known offsets (a
   * recording that starts at night learns the day from the night), else the population prior.
   */
  private derive(signal: BaselineSignal, context: BaselineContext): RobustEstimate {
    const offset = (c: BaselineContext): readonly [number, number] =>
      c === 'day' ? [0, 1] : SHIFTS[c][signal];
    for (const from of ['day', 'night', 'active'] as const) {
      const known = this.estimates[from]?.[signal];
      if (from === context || !known) continue;
      const [toShift, toSpread] = offset(context);
      const [fromShift, fromSpread] = offset(from);
      return known.shifted(toShift - fromShift, toSpread / fromSpread);
    }
    return new RobustEstimate(BASELINE_PRIORS[signal]);
  }
}
