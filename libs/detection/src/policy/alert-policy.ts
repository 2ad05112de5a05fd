import { type AlertSource, type AlertState, type Severity, SEVERITIES, type Vital } from '@vigil/contracts';

export interface AlertPolicyOptions {
  /** Hysteresis: raise when `confirm` of the last `of` windows are abnormal. */
  readonly confirm: number;
  readonly of: number;
  /** Resolve after this many normal windows in a row. */
  readonly clear: number;
  /** After a resolve, the same source stays quiet this long unless severity rises above the last alert's. */
  readonly cooldownMs: number;
}

/** One scored window as the policy sees it. */
export interface Observation {
  readonly at: number;
  /** null = normal. */
  readonly severity: Severity | null;
  readonly score: number;
  readonly vitals: readonly Vital[];
  readonly reason: string;
}

export interface AlertTransition {
  readonly state: AlertState;
  readonly alertId: string;
  readonly severity: Severity;
  readonly startedAt: number;
  readonly at: number;
  readonly score: number;
  readonly vitals: readonly Vital[];
  readonly reason: string;
}

const rank = (s: Severity): number => SEVERITIES.indexOf(s);

/**
 * Alarm logic for one patient and one detector: hysteresis (k of n), escalation, clearing, cooldown.
 * Pure and deterministic: the same observations give the same transitions and the same alert ids,
 * so a replay after a crash produces duplicates that downstream recognises, never new alerts.
 */
export class AlertPolicy {
  private recent: Observation[] = [];
  private open: { alertId: string; startedAt: number; severity: Severity } | null = null;
  private normalStreak = 0;
  private quietUntil = -Infinity;
  private lastSeverity: Severity | null = null;

  constructor(
    private readonly patientId: string,
    private readonly source: AlertSource,
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

  private whileClosed(obs: Observation): AlertTransition | null {
    const abnormal = this.recent.filter((o) => o.severity !== null);
    if (abnormal.length < this.options.confirm || obs.severity === null) return null;
    // The alert's severity is the lowest of the confirming windows' top `confirm`: one spike does not set it.
    const severity = abnormal.map((o) => o.severity as Severity).sort((a, b) => rank(b) - rank(a))[
      this.options.confirm - 1
    ];
    if (
      obs.at < this.quietUntil &&
      (this.lastSeverity === null || rank(severity) <= rank(this.lastSeverity))
    ) {
      return null;
    }
    const startedAt = abnormal[0].at;
    this.open = { alertId: `${this.patientId}.${this.source}.${startedAt}`, startedAt, severity };
    this.normalStreak = 0;
    return this.transition('raised', obs, severity);
  }

  private whileOpen(obs: Observation): AlertTransition | null {
    const open = this.open as NonNullable<typeof this.open>;
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
    if (rank(obs.severity) > rank(open.severity)) {
      open.severity = obs.severity;
      return this.transition('escalated', obs, obs.severity);
    }
    return null;
  }

  private transition(state: AlertState, obs: Observation, severity: Severity): AlertTransition {
    const open = this.open as NonNullable<typeof this.open>;
    return {
      state,
      alertId: open.alertId,
      severity,
      startedAt: open.startedAt,
      at: obs.at,
      score: obs.score,
      vitals: obs.vitals,
      reason: obs.reason,
    };
  }
}
