import {
  type AlertEvent,
  type Evidence,
  type PatientLimits,
  VITALS,
  type Vital,
  type VitalValues,
  type WindowScore,
} from '@vigil/contracts';
import {
  type BaselineContext,
  type BaselineSnapshot,
  type BaselineVital,
  BASELINE_VITALS,
  PatientBaselines,
  contextOf,
} from '../baseline/patient-baselines';
import { ActivityTracker, type ActivityState, isNight, isNightEdge } from '../context/activity-tracker';
import { ConditionAssessor, offThresholds, type VitalNow } from '../evidence/condition';
import { RecentLevel } from '../evidence/recent-level';
import { detectSensorFault, type SensorFault } from '../rules/sensor-fault.rule';
import { AlertPolicy, type AlertTransition, type Observation } from '../policy/alert-policy';
import { median, medianOfSorted, removeArtefacts } from '../window/artefact-filter';
import { FEATURES, VitalsWindow } from '../window/vitals-window';
import type { DetectionOptions } from './detection-options';

/** A window ready to be assessed: everything about the patient at one moment, copied. */
export interface DueWindow {
  readonly patientId: string;
  readonly at: number;
  /** T×F values with artefacts removed, oldest first, NaN = missing (VITALS order). */
  readonly values: Float32Array;
  /** What the model reads (T×F, VITALS order), null when it should not run yet. */
  readonly modelInput: Float32Array | null;
  readonly activity: ActivityState;
  /** The device reports steps, so rest is known to be rest (see ActivityTracker.sensesMotion). */
  readonly motion: boolean;
  readonly night: boolean;
  readonly vitals: Partial<Record<BaselineVital, VitalNow>>;
  readonly irregularity: VitalNow | null;
  readonly fault: SensorFault | null;
}

export interface ModelOutput {
  readonly error: number;
  /** Per-feature share of the error, in VITALS order. */
  readonly contributions: ArrayLike<number>;
}

/** What a monitor keeps across a restart (checkpointed by the scorer): the patient's learned normal. */
export interface MonitorSnapshot {
  readonly v: 1;
  /** Measurement time up to which the snapshot has learned; a replay does not learn it twice. */
  readonly at: number;
  readonly baselines: BaselineSnapshot;
  readonly activity: { readonly lastActiveAt: number | null };
}

const DENSE: readonly BaselineVital[] = ['hr', 'spo2', 'rr'];
/** A sparse reading stands for the patient's state this long (BP every 15–60 min, temperature about each minute). */
const FRESH_MS: Partial<Record<BaselineVital, number>> = {
  temp: 5 * 60_000,
  sbp: 75 * 60_000,
  dbp: 75 * 60_000,
};
const HR = VITALS.indexOf('hr');
/** HR readings a window needs before its rhythm is judged. */
const IRREGULARITY_MIN_READINGS = 30;

/**
 * One patient's detection: 1 Hz window, activity and time-of-day context, personal baselines per
 * vital and context, sensor checks, the combined clinical condition and its one alert, and a
 * technical alarm apart. Pure; the scorer app and `vigil evaluate` drive it the same way.
 *
 * Everything the patient's data teaches (baselines, activity) is learned in `push`, in sample
 * order, so the outcome does not depend on how samples were batched (a replay gives the same alerts).
 */
export class PatientMonitor {
  private readonly window: VitalsWindow;
  private lastDueSlot = -Infinity;
  private readonly baselines = new PatientBaselines();
  private readonly activity: ActivityTracker;
  private readonly sparse: Partial<Record<BaselineVital, { ts: number; value: number }[]>> = {};
  private readonly assessor = new ConditionAssessor();
  /** Where each dense vital was at rest over the last minutes (a sudden fall; which normal at the night's edge). */
  private readonly levels = { hr: new RecentLevel(), spo2: new RecentLevel(), rr: new RecentLevel() };
  private readonly clinicalPolicy: AlertPolicy;
  private readonly technicalPolicy: AlertPolicy;
  private learnedUntil = -Infinity;
  limits: PatientLimits | undefined;

  constructor(
    readonly patientId: string,
    private readonly options: DetectionOptions,
  ) {
    this.window = new VitalsWindow(options.windowLength, options.cadenceMs);
    this.activity = new ActivityTracker(options.activity);
    this.clinicalPolicy = new AlertPolicy(patientId, 'clinical', options.policy);
    this.technicalPolicy = new AlertPolicy(patientId, 'technical', options.policy);
  }

  /** Adds a sample; returns a window when one is due (every stride of measurement time). */
  push(ts: number, values: VitalValues): DueWindow | null {
    if (!this.window.push(ts, values)) return null;
    this.activity.observe(ts, values.steps);
    for (const v of ['temp', 'sbp', 'dbp'] as const) {
      const x = values[v];
      if (x === undefined || !Number.isFinite(x)) continue;
      const list = (this.sparse[v] ??= []);
      list.push({ ts, value: x });
      while (list.length > 3) list.shift();
      const activity = this.activity.state(ts);
      if (activity !== 'recovery' && !isNightEdge(ts, this.options.clock))
        this.learn(v, contextOf(activity, isNight(ts, this.options.clock)), x, ts);
    }
    const slot = this.window.newestSlot;
    if (slot - this.lastDueSlot < this.options.strideSlots || this.window.filled < this.options.strideSlots)
      return null;
    this.lastDueSlot = slot;
    return this.due();
  }

  private due(): DueWindow {
    const T = this.options.windowLength;
    const at = this.window.endTs;
    const raw = new Float32Array(T * FEATURES);
    this.window.copyTo(raw);
    const fault = detectSensorFault(raw, T);
    const irregularityValue = beatToBeat(raw, T);
    const values = raw.slice();
    removeArtefacts(values, T);

    const activity = this.activity.state(at);
    const night = isNight(at, this.options.clock);
    // Evidence is judged against the rest normal (activity only makes raised HR and RR expected);
    // the active normal is learned for the model, which reads deviations from the current context.
    const context = contextOf('rest', night);
    const modelContext = contextOf(activity, night);
    const edge = isNightEdge(at, this.options.clock);
    const other = contextOf('rest', !night);
    // Recovering, or at the edge of the night, teaches neither normal.
    const learns = activity !== 'recovery' && !edge;
    const faulty = new Set<Vital>(fault?.vitals ?? []);
    // A faulty sensor's last readings (a cold probe off the wrist) must not outlive the fault.
    for (const v of faulty) if (v in this.sparse) this.sparse[v as BaselineVital] = [];
    const vitals: Partial<Record<BaselineVital, VitalNow>> = {};
    for (const v of BASELINE_VITALS) {
      if (faulty.has(v)) continue;
      const slots = DENSE.includes(v) ? this.options.recentSlots[v as 'hr' | 'spo2' | 'rr'] : null;
      const rise = slots ? recentSpread(values, T, VITALS.indexOf(v), slots.rise) : null;
      const fall = slots ? recentSpread(values, T, VITALS.indexOf(v), slots.fall) : null;
      const recent = rise && fall ? { median: rise.median, lower: rise.lower, upper: fall.upper } : null;

      const value = recent ? recent.median : this.freshReading(v, at);
      if (value === undefined) continue;
      const previous = v === 'sbp' ? this.previousReading(v, at) : undefined;
      const level = v in this.levels ? this.levels[v as keyof typeof this.levels] : null;
      const before = level?.at(at) ?? null;
      let expected = this.baselines.expected(v, context);
      if (edge) {
        // Asleep early or awake late: whichever normal the value is nearer to. That can hide a fall
        // to near the night's normal; a sudden one is judged from `before` (SUDDEN_FALL_RULE).
        const alt = this.baselines.expected(v, other);
        if (Math.abs(value - alt.usual) < Math.abs(value - expected.usual)) expected = alt;
      }
      vitals[v] = {
        value,
        lower: recent?.lower ?? value,
        upper: recent?.upper ?? value,
        ...expected,
        ...(previous === undefined ? {} : { previous }),
        ...(before === null ? {} : { before }),
      };
      if (level && activity === 'rest') level.add(at, value);
      // Recovering is neither rest nor activity: it teaches neither normal.
      if (DENSE.includes(v) && learns) this.learn(v, modelContext, value, at);
    }
    let irregularity: VitalNow | null = null;
    if (irregularityValue !== null && !faulty.has('hr')) {
      irregularity = {
        value: irregularityValue,
        lower: irregularityValue,
        upper: irregularityValue,
        ...this.baselines.expected('hrIrregularity', context),
      };
      if (learns && (!irregularity.ready || irregularityValue < 3 * irregularity.usual))
        this.learnSignal('hrIrregularity', modelContext, irregularityValue, at);
    }

    const model = this.options.model;
    // The model reads deviations from the patient's usual: before every dense vital's usual is
    // learned (warm-up) it would read the population prior's distance instead.
    const warmedUp = DENSE.every((v) => vitals[v]?.ready !== false);
    const modelInput =
      model && this.window.filled >= T / 2 && warmedUp
        ? this.modelInput(values, modelContext, faulty, model.residualInput)
        : null;
    return {
      patientId: this.patientId,
      at,
      values,
      modelInput,
      activity,
      motion: this.activity.sensesMotion(at),
      night,
      vitals,
      irregularity,
      fault,
    };
  }

  /** The window as the model reads it: faulty vitals masked; with residual input, value − usual. */
  private modelInput(
    values: Float32Array,
    context: BaselineContext,
    faulty: ReadonlySet<Vital>,
    residual: boolean,
  ): Float32Array {
    const T = this.options.windowLength;
    const input = values.slice();
    for (let f = 0; f < FEATURES; f++) {
      const vital = VITALS[f];
      const usual = residual && vital !== 'steps' ? this.baselines.expected(vital, context).usual : 0;
      for (let t = 0; t < T; t++) {
        const i = t * FEATURES + f;
        if (faulty.has(vital)) input[i] = NaN;
        else if (usual !== 0) input[i] -= usual;
      }
    }
    return input;
  }

  /**
   * Assesses a due window with every detector and steps the two alert policies. A sensor fault
   * raises the technical alarm and takes only the faulty vitals out of the clinical assessment.
   */
  assess(due: DueWindow, model: ModelOutput | null): { score: WindowScore; alerts: AlertEvent[] } {
    const alerts: AlertEvent[] = [];
    const fault = due.fault;
    const technical: Observation = {
      at: due.at,
      severity: fault ? 'low' : null,
      vitals: fault?.vitals ?? [],
      reason: fault?.reason ?? '',
      evidence: fault
        ? fault.vitals.map((v): Evidence => ({
            source: 'sensor',
            vital: v,
            value: null,
            usual: null,
            score: 1,
          }))
        : [],
    };
    pushEvent(alerts, this.patientId, 'technical', this.technicalPolicy.step(technical));

    const modelRatio = model && this.options.model ? model.error / this.options.model.alertError : null;
    const condition = this.assessor.assess({
      at: due.at,
      vitals: due.vitals,
      irregularity: due.irregularity,
      activity: due.activity,
      motion: due.motion,
      limits: this.limits,
      model: modelRatio === null || !model ? null : { ratio: modelRatio, top: topContributors(model) },
    });
    pushEvent(
      alerts,
      this.patientId,
      'clinical',
      this.clinicalPolicy.step({
        at: due.at,
        severity: condition.severity,
        vitals: condition.vitals,
        reason: condition.reason,
        evidence: condition.evidence,
      }),
    );

    const latest: Partial<Record<Vital, number>> = {};
    const usual: Partial<Record<Vital, number>> = {};
    for (const [v, now] of Object.entries(due.vitals) as [BaselineVital, VitalNow][]) {
      latest[v] = round(now.value);
      usual[v] = round(now.usual);
    }
    return {
      score: {
        v: 1,
        patientId: this.patientId,
        at: due.at,
        news2: condition.news2,
        model: modelRatio === null ? null : round(modelRatio),
        contributions: model
          ? Object.fromEntries(VITALS.map((v, f) => [v, round(model.contributions[f])]))
          : null,
        latest,
        usual,
        deviation: condition.deviation,
        context: { activity: due.activity, night: due.night },
      },
      alerts,
    };
  }

  snapshot(): MonitorSnapshot {
    return {
      v: 1,
      at: this.window.endTs,
      baselines: this.baselines.snapshot(),
      activity: this.activity.snapshot(),
    };
  }

  /** Restores a checkpoint taken before a restart: the patient's normal is not learned again. */
  restore(s: MonitorSnapshot): void {
    this.baselines.restore(s.baselines);
    this.activity.restore(s.activity);
    this.learnedUntil = s.at;
  }

  /**
   * Learns a vital's value; one that is off the patient's normal teaches only the spread, never
   * where the normal is (an episode must not become normal).
   */
  private learn(v: BaselineVital, context: BaselineContext, x: number, ts: number): void {
    const e = this.baselines.expected(v, context);
    let locate = true;
    if (e.ready && v !== 'dbp') {
      const { up, down } = offThresholds(v, e.spread);
      locate = x - e.usual < up && e.usual - x < down;
    }
    // A sparse vital has too few readings for an outlier's share of the spread to stay small.
    if (!locate && !DENSE.includes(v)) return;
    this.learnSignal(v, context, x, ts, locate);
  }

  private learnSignal(
    v: BaselineVital | 'hrIrregularity',
    context: BaselineContext,
    x: number,
    ts: number,
    locate = true,
  ): void {
    if (ts <= this.learnedUntil) return;
    this.baselines.learn(v, context, x, ts, locate);
  }

  /** Temperature: the median of its fresh readings; BP: its last reading while fresh. */
  private freshReading(v: BaselineVital, at: number): number | undefined {
    const fresh = (this.sparse[v] ?? []).filter((r) => at - r.ts <= (FRESH_MS[v] ?? 0) && r.ts <= at);
    if (fresh.length === 0) return undefined;
    return v === 'temp' ? median(fresh.map((r) => r.value)) : fresh[fresh.length - 1].value;
  }

  /** The reading before the current one, if it too is recent enough to speak for the patient. */
  private previousReading(v: BaselineVital, at: number): number | undefined {
    const list = (this.sparse[v] ?? []).filter((r) => r.ts <= at);
    if (list.length < 2) return undefined;
    const before = list[list.length - 2];
    return at - before.ts <= 2 * (FRESH_MS[v] ?? 0) ? before.value : undefined;
  }
}

/**
 * A dense vital over the newest `slots` rows of a T×F window: its median, and the 30th and 70th
 * percentiles. A deviation counts only when 70 % of the recent readings share it, so a burst of a
 * few seconds (a motion artefact, a cough) is not a condition.
 */
function recentSpread(values: Float32Array, T: number, f: number, slots: number) {
  const from = Math.max(0, T - slots);
  const buffer = new Float64Array(T - from);
  let n = 0;
  for (let t = from; t < T; t++) {
    const v = values[t * FEATURES + f];
    if (!Number.isNaN(v)) buffer[n++] = v;
  }
  // Too few readings (a sensor dropping out, a few artefacts left) say nothing sustained.
  if (n < Math.max(1, Math.min(3, slots), Math.ceil(0.3 * Math.min(slots, T)))) return null;
  const seen = buffer.subarray(0, n).sort();
  const at = (q: number) => seen[Math.min(n - 1, Math.floor(q * n))];
  return { median: medianOfSorted(seen), lower: at(0.3), upper: at(0.7) };
}

/** Median |Δ| of successive HR readings in the window: a rhythm's irregularity, immune to trends. */
function beatToBeat(raw: Float32Array, T: number): number | null {
  const diffs = new Float64Array(T);
  let n = 0;
  let last = NaN;
  for (let t = 0; t < T; t++) {
    const v = raw[t * FEATURES + HR];
    if (Number.isNaN(v)) continue;
    if (!Number.isNaN(last)) diffs[n++] = Math.abs(v - last);
    last = v;
  }
  return n + 1 >= IRREGULARITY_MIN_READINGS ? medianOfSorted(diffs.subarray(0, n).sort()) : null;
}

function topContributors(model: ModelOutput): Vital[] {
  return VITALS.map((v, f) => [v, model.contributions[f]] as const)
    .filter(([v, c]) => c > 0 && v !== 'steps')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([v]) => v);
}

function pushEvent(
  out: AlertEvent[],
  patientId: string,
  kind: AlertEvent['kind'],
  t: AlertTransition | null,
): void {
  if (t) out.push({ v: 1, patientId, kind, ...t });
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
