import { type Evidence, type PatientLimits, type Severity, type Vital } from '@vigil/contracts';
import { type Expected } from '../baseline/patient-baselines';
import { type ActivityState } from '../context/activity-tracker';
import { LIMITED_VITALS, type LimitedVital, limitsFor } from '../rules/hard-limits';
import { NEWS2_RULES, NEWS2_RULES_SCALE_2, news2 } from '../rules/news2';
import { type News2Rule } from '../rules/rule';
import { describeCondition } from './reason';

/**
 * How far from the patient's usual a vital must be to count as off, in its own units and in its
 * own spreads (both must hold). Clinically small changes never alarm, however unusual for the patient.
 * Upwards HR, RR and SBP are expected during activity and recovery, so only limits count then.
 */
export const DEVIATION_RULES: Readonly<Record<LimitedVital, { up: number; down: number; z: number }>> = {
  hr: { up: 15, down: 12, z: 3 },
  spo2: { up: Infinity, down: 3, z: 3.5 },
  rr: { up: 4, down: 4, z: 3.5 },
  temp: { up: 1.0, down: 1.5, z: 3.5 },
  sbp: { up: 45, down: 20, z: 2.5 },
};
/** How far above and below the usual a vital must be to count as off, given the patient's spread. */
export function offThresholds(
  vital: LimitedVital,
  spread: number,
): { readonly up: number; readonly down: number } {
  const rule = DEVIATION_RULES[vital];
  return { up: Math.max(rule.up, rule.z * spread), down: Math.max(rule.down, rule.z * spread) };
}
const EXPECTED_UP_WHEN_ACTIVE: ReadonlySet<Vital> = new Set<Vital>(['hr', 'rr', 'sbp']);
/** Beat-to-beat HR changes (median |Δ| in bpm) that make a rhythm irregular: over 6 bpm and 3× usual. */
export const IRREGULARITY_RULE = { min: 6, ratio: 3, z: 5 };
/** Once off, a vital stays off until it is back within this share of its threshold (no flicker). */
const HOLD = 0.75;
/**
 * Without motion data (no step counter: a bedside monitor, a recording without steps) a raised HR or
 * RR may be effort, turning or waking as much as illness; such a rise counts once it has lasted
 * this long, as long as recovery from effort would take. A hard limit or a NEWS2 red score counts at once.
 */
export const UNEXPLAINED_RISE_MS = 5 * 60_000;
const RISES_WITH_EFFORT: ReadonlySet<LimitedVital> = new Set<LimitedVital>(['hr', 'rr']);
/**
 * A sudden fall in HR at rest into NEWS2's low band (≤ 50 /min): at least 10 bpm and 15 % below
 * where it was 2–10 min before, and 5 bpm below the patient's usual. Falling asleep lowers HR over
 * many minutes and by less; a fall this quick is a rhythm change or a vagal event, even when it
 * stays near the night's normal (which the edge of the night may judge it by).
 */
export const SUDDEN_FALL_RULE = { bpm: 10, share: 0.15, belowUsual: 5, atMost: 50 };

/**
 * NEWS2 points (SBP ≤ 100 mmHg) at which one cuff reading well below the patient's usual counts on
 * its own; above that band it needs the reading before it to be low too (MIMIC-II: two single
 * readings of 109 and 117 mmHg, 24–25 under their patient's usual, were its only unconfirmed alerts).
 */
export const SPARSE_FALL_ALONE_POINTS = 2;

/** A vital's current value and what is expected of it (see PatientMonitor). */
export interface VitalNow extends Expected {
  readonly value: number;
  /**
   * What most recent readings agree on (30th and 70th percentiles of a dense vital; a sparse one's
   * reading): a rise counts when `lower` has risen, a fall when `upper` has fallen.
   */
  readonly lower: number;
  readonly upper: number;
  /** For a sparse vital (BP), the reading before this one while it is fresh: a limit must hold on both. */
  readonly previous?: number;
  /** For a dense vital: where it was at rest 2–10 min ago (RecentLevel), when known. */
  readonly before?: number;
}

export interface ConditionInput {
  readonly at: number;
  readonly vitals: Partial<Record<LimitedVital, VitalNow>>;
  readonly irregularity: VitalNow | null;
  readonly activity: ActivityState;
  /** Whether the device senses motion; without it, rest is not known to be rest. */
  readonly motion: boolean;
  readonly limits: PatientLimits | undefined;
  /** Model reconstruction error ÷ its calibrated alert level, null when the model did not run. */
  readonly model: { readonly ratio: number; readonly top: readonly Vital[] } | null;
}

/** One vital's part in the condition. */
export interface Finding {
  readonly vital: LimitedVital;
  readonly value: number;
  readonly usual: number | null;
  readonly limit: 'low' | 'high' | null;
  readonly points: number;
  /** Signed deviation in the patient's spreads (0 before the normal is learned). */
  readonly z: number;
  readonly irregular: boolean;
  /** Since when it has been off, ms. */
  readonly since: number;
}

export interface Condition {
  readonly severity: Severity | null;
  readonly news2: number;
  readonly findings: readonly Finding[];
  readonly vitals: readonly Vital[];
  readonly evidence: readonly Evidence[];
  readonly reason: string;
  /** Largest |z| over the vitals with a learned normal. */
  readonly deviation: number;
}

/**
 * Combines every detector's evidence into one clinical condition and its IEC 60601-1-8 severity:
 * - high: a hard limit crossed, or NEWS2 ≥ 7 (emergency response), whatever else says;
 * - medium: a vital off the patient's normal that NEWS2 scores ≥ 2, two vitals off, or NEWS2 ≥ 5
 *   with a vital off;
 * - low: one vital off the patient's normal, or the learned model alone.
 * Before a vital's normal is learned (warm-up), the population rule applies to it: a NEWS2 red
 * score (3) counts as off. Keeps which vitals are off between windows (hysteresis, "for 2 min").
 */
export class ConditionAssessor {
  private readonly offSince = new Map<string, number>();
  /** Since when an HR or RR rise has been beyond its threshold while motion is unknown. */
  private readonly riseSince = new Map<LimitedVital, number>();
  /** The level HR fell suddenly from, kept while it stays off. */
  private fallFrom: number | null = null;

  assess(input: ConditionInput): Condition {
    const scale = input.limits?.spo2Scale ?? 1;
    const rules = scale === 2 ? NEWS2_RULES_SCALE_2 : NEWS2_RULES;
    const current: Partial<Record<Vital, number>> = {};
    for (const v of LIMITED_VITALS) if (input.vitals[v]) current[v] = input.vitals[v].value;
    const score = news2(current, scale);
    const active = input.activity !== 'rest';
    // During activity and recovery a raised HR and RR are expected: NEWS2 judges the rest.
    const judged = { ...current };
    if (active)
      for (const v of EXPECTED_UP_WHEN_ACTIVE)
        if ((judged[v] ?? 0) > (input.vitals[v as LimitedVital]?.usual ?? Infinity)) delete judged[v];
    const clinical = active ? news2(judged, scale) : score;

    const findings: Finding[] = [];
    let deviation = 0;
    const shock = !active && shockIndexRaised(input.vitals.hr, input.vitals.sbp);
    for (const vital of LIMITED_VITALS) {
      const now = input.vitals[vital];
      if (!now) {
        this.offSince.delete(vital);
        this.riseSince.delete(vital);
        continue;
      }
      const points =
        judged[vital] === undefined ? 0 : (rules.find((r) => r.vital === vital)?.evaluate(now.value) ?? 0);
      const { low, high } = limitsFor(vital, input.limits, active, now.ready ? now.usual : null, now.spread);
      const limit = crossed(vital, now, low, high);
      const z = now.ready ? (now.value - now.usual) / now.spread : 0;
      if (now.ready) deviation = Math.max(deviation, Math.abs(z));
      const off =
        this.isOff(vital, now, active, points, rules, input.motion, input.at) ||
        (vital === 'hr' && this.fellSuddenly(now, active)) ||
        ((vital === 'sbp' || vital === 'hr') && shock);
      const irregular = vital === 'hr' && this.isIrregular(input.irregularity);
      if (!off && !irregular && limit === null) {
        this.offSince.delete(vital);
        continue;
      }
      if (!this.offSince.has(vital)) this.offSince.set(vital, input.at);
      findings.push({
        vital,
        value: now.value,
        usual: now.ready ? now.usual : null,
        limit,
        points,
        z,
        irregular,
        since: this.offSince.get(vital)!,
      });
    }
    findings.sort(
      (a, b) =>
        Number(b.limit !== null) - Number(a.limit !== null) ||
        b.points - a.points ||
        Math.abs(b.z) - Math.abs(a.z),
    );

    // The model has not learned every patient's response to effort: during activity and recovery its
    // "unusual" is evidence beside others, never an alert on its own (like a raised HR then).
    const modelAbnormal = input.model !== null && input.model.ratio >= 1 && !active;
    const severity = severityOf(findings, clinical.total, modelAbnormal);
    const evidence: Evidence[] = [];
    for (const f of findings) {
      if (f.limit)
        evidence.push({ source: 'limit', vital: f.vital, value: f.value, usual: f.usual, score: 1 });
      if (f.usual !== null && (Math.abs(f.z) > 0 || f.irregular))
        evidence.push({
          source: 'baseline',
          vital: f.vital,
          value: f.value,
          usual: f.usual,
          score: round(f.z),
        });
      if (f.points > 0)
        evidence.push({ source: 'news2', vital: f.vital, value: f.value, usual: f.usual, score: f.points });
    }
    if (severity !== null) {
      evidence.push({ source: 'news2', vital: null, value: null, usual: null, score: clinical.total });
      if (input.model)
        evidence.push({
          source: 'model',
          vital: null,
          value: null,
          usual: null,
          score: round(input.model.ratio),
        });
    }
    return {
      severity,
      news2: score.total,
      findings,
      vitals: findings.map((f) => f.vital),
      evidence,
      reason:
        severity === null
          ? ''
          : describeCondition(
              findings,
              input.at,
              input.activity,
              modelAbnormal ? (input.model?.top ?? []) : [],
              input.vitals,
              clinical.total,
            ),
      deviation: round(deviation),
    };
  }

  private isOff(
    vital: LimitedVital,
    now: VitalNow,
    active: boolean,
    points: number,
    rules: readonly News2Rule[],
    motion: boolean,
    at: number,
  ): boolean {
    if (!now.ready) {
      // Warm-up: the population rule, a NEWS2 red score (on two readings for a sparse vital).
      if (points !== 3) return false;
      if (vital !== 'sbp') return true;
      return now.previous !== undefined && rules.find((r) => r.vital === vital)?.evaluate(now.previous) === 3;
    }
    const { up, down } = offThresholds(vital, now.spread);
    const hold = this.offSince.has(vital) ? HOLD : 1;
    const upAllowed = !(active && EXPECTED_UP_WHEN_ACTIVE.has(vital));
    if (upAllowed && now.lower - now.usual >= hold * up) {
      if (motion || !RISES_WITH_EFFORT.has(vital) || points >= 3) return true;
      const since = this.riseSince.get(vital) ?? at;
      this.riseSince.set(vital, since);
      if (at - since >= UNEXPLAINED_RISE_MS) return true;
    } else this.riseSince.delete(vital);
    if (now.usual - now.upper < hold * down) return false;
    // One cuff reading below the usual but above NEWS2's low bands is a reading to repeat, not yet
    // a fall: it counts once the reading before it was low too (or HR rose with it: the shock index).
    if (vital === 'sbp' && hold === 1 && points < SPARSE_FALL_ALONE_POINTS)
      return now.previous !== undefined && now.usual - now.previous >= down;
    return true;
  }

  /** See SUDDEN_FALL_RULE; the level before the fall holds while HR stays off. */
  private fellSuddenly(now: VitalNow, active: boolean): boolean {
    if (!now.ready || active) {
      this.fallFrom = null;
      return false;
    }
    const held = this.offSince.has('hr');
    const level = held && this.fallFrom !== null ? this.fallFrom : (now.before ?? null);
    const hold = held ? HOLD : 1;
    const r = SUDDEN_FALL_RULE;
    const fell =
      level !== null &&
      level - now.upper >= hold * Math.max(r.bpm, r.share * level) &&
      now.usual - now.upper >= hold * r.belowUsual &&
      now.upper <= r.atMost / hold;
    this.fallFrom = fell ? level : null;
    return fell;
  }

  private isIrregular(irr: VitalNow | null): boolean {
    if (!irr?.ready) return false;
    const r = IRREGULARITY_RULE;
    const hold = this.offSince.has('hr') ? HOLD : 1;
    return irr.value >= hold * Math.max(r.min, r.ratio * irr.usual, irr.usual + r.z * irr.spread);
  }
}

/**
 * Which limit the vital is beyond. A sparse reading (one cuff measurement every 15–60 min, with a
 * few mmHg of measurement noise) is sustained when the reading before it was beyond too; a first
 * low reading far from the patient's normal is already evidence through the baseline.
 */
function crossed(vital: LimitedVital, now: VitalNow, low: number, high: number): 'low' | 'high' | null {
  const limit = now.upper < low ? 'low' : now.lower > high ? 'high' : null;
  if (limit === null || vital !== 'sbp') return limit;
  const side = (x: number) => (x < low ? 'low' : x > high ? 'high' : null);
  return now.previous !== undefined && side(now.previous) === limit ? limit : null;
}

/**
 * A falling blood pressure with a rising heart rate, each too small alone (one cuff reading is a few
 * mmHg noisy): the shock index HR ÷ SBP at least 0.7 and 30 % above the patient's usual, with SBP
 * at least 15 below and HR at least 10 above their usual.
 */
function shockIndexRaised(hr: VitalNow | undefined, sbp: VitalNow | undefined): boolean {
  if (!hr?.ready || !sbp?.ready) return false;
  const index = hr.value / sbp.value;
  return (
    index >= 0.7 &&
    index >= 1.3 * (hr.usual / sbp.usual) &&
    sbp.usual - sbp.value >= 15 &&
    hr.value - hr.usual >= 10
  );
}

function severityOf(findings: readonly Finding[], total: number, model: boolean): Severity | null {
  if (findings.some((f) => f.limit !== null) || total >= 7) return 'high';
  if (findings.length === 0) return model ? 'low' : null;
  if (findings.length >= 2 || total >= 5 || findings.some((f) => f.points >= 2)) return 'medium';
  return 'low';
}

const round = (x: number) => Math.round(x * 100) / 100;
