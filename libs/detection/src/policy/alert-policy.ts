import {
  type AlertKind,
  type AlertState,
  type Evidence,
  type Severity,
  SEVERITIES,
  type Vital,
} from '@vigil/contracts';

export interface AlertPolicyOptions {
  /** Hysteresis: raise when `confirm` of the last `of` windows are abnormal. */
  readonly confirm: number;
  readonly of: number;
  /** Resolve after this many normal windows in a row. */
  readonly clear: number;
  /** After a resolve, the same kind stays quiet this long unless severity rises above the last alert's. */
  readonly cooldownMs: number;
}

/** One assessed window as the policy sees it. */
export interface Observation {
  readonly at: number;
  /** null = normal. */
  readonly severity: Severity | null;
  readonly vitals: readonly Vital[];
  readonly reason: string;
  readonly evidence: readonly Evidence[];
}

export interface AlertTransition {
  readonly state: AlertState;
  readonly alertId: string;
  readonly severity: Severity;
  readonly startedAt: number;
  readonly at: number;
  readonly vitals: readonly Vital[];
  readonly reason: string;
  readonly evidence: readonly Evidence[];
}

const rank = (s: Severity | null): number => (s === null ? -1 : SEVERITIES.indexOf(s));

/**
 * Alarm logic for one patient and one kind of alert (clinical or technical): hysteresis (k of n),
 * escalation when the condition worsens, an update when what is off changes, clearing, cooldown.
 * One open alert at a time: a worsening condition escalates it rather than opening another.
 * Pure and deterministic: the same observations give the same transitions and the same alert ids,
 * so a replay after a crash produces duplicates that downstream recognises, never new alerts.
 */
export class AlertPolicy {
  private recent: Observation[] = [];
  private open: { alertId: string; startedAt: number; severity: Severity; vitals: Set<Vital> } | null = null;
  private normalStreak = 0;
  private quietUntil = -Infinity;
  private lastSeverity: Severity | null = null;

  constructor(
    private readonly patientId: string,
    private readonly kind: AlertKind,
    private readonly options: AlertPolicyOptions,
  ) {}

  get isOpen(): boolean {
    return this.open !== null;
  }

  step(obs: Observation): AlertTransition | null {
    this.recent.push(obs);
    if (this.recent.length > this.options.of) this.recent.shift();
    return this.open ? this.whileOpen(obs) : this.whileClosed(obs);
  }

  /** The severity held by `confirm` of the recent windows: one spike does not set it. */
  private sustained(): Severity | null {
    const ranked = this.recent
      .map((o) => o.severity)
      .filter((s): s is Severity => s !== null)
      .sort((a, b) => rank(b) - rank(a));
    return ranked.length >= this.options.confirm ? ranked[this.options.confirm - 1] : null;
  }

  private whileClosed(obs: Observation): AlertTransition | null {
    const severity = this.sustained();
    if (severity === null || obs.severity === null) return null;
    if (obs.at < this.quietUntil && rank(severity) <= rank(this.lastSeverity)) return null;
    const startedAt = this.recent.find((o) => o.severity !== null)!.at;
    this.open = {
      alertId: `${this.patientId}.${this.kind}.${startedAt}`,
      startedAt,
      severity,
      vitals: new Set(obs.vitals),
    };
    this.normalStreak = 0;
    return this.transition('raised', obs, severity);
  }

  private whileOpen(obs: Observation): AlertTransition | null {
    const open = this.open!;
    if (obs.severity === null) {
      if (++this.normalStreak < this.options.clear) return null;
      const resolved = this.transition('resolved', obs, open.severity);
      this.quietUntil = obs.at + this.options.cooldownMs;
      this.lastSeverity = open.severity;
      this.open = null;
      this.recent = [];
      return resolved;
    }
    this.normalStreak = 0;
    const sustained = this.sustained();
    if (sustained !== null && rank(sustained) > rank(open.severity)) {
      open.severity = sustained;
      for (const v of obs.vitals) open.vitals.add(v);
      return this.transition('escalated', obs, sustained);
    }
    // Another vital joins the condition: say so once (a vital flickering at its threshold does not).
    if (obs.vitals.some((v) => !open.vitals.has(v))) {
      for (const v of obs.vitals) open.vitals.add(v);
      return this.transition('updated', obs, open.severity);
    }
    return null;
  }

  private transition(state: AlertState, obs: Observation, severity: Severity): AlertTransition {
    const open = this.open!;
    return {
      state,
      alertId: open.alertId,
      severity,
      startedAt: open.startedAt,
      at: obs.at,
      vitals: obs.vitals,
      reason: obs.reason,
      evidence: obs.evidence,
    };
  }
}
