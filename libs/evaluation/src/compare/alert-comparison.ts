import { SEVERITIES, type Severity } from '@vigil/contracts';

/** One raised clinical alert of a model, as compared: whose, when (its episode start), how severe. */
export interface ComparedAlert {
  readonly patientId: string;
  readonly at: number;
  readonly severity: Severity;
}

export interface AlertRate {
  readonly alerts: number;
  /** Alerts per monitored patient-day, null when nothing was monitored. */
  readonly perPatientDay: number | null;
}

export interface AlertRates extends AlertRate {
  readonly bySeverity: Readonly<Record<Severity, AlertRate>>;
}

/** How far two models raise the same alerts: same patient, raised within the tolerance of each other. */
export interface AlertAgreement {
  /** Pairs of alerts, one of each model, matched one to one. */
  readonly matched: number;
  readonly onlyA: number;
  readonly onlyB: number;
  /** 2·matched ÷ (alerts of A + alerts of B) (the Dice coefficient); null when neither alerted. */
  readonly agreement: number | null;
}

export interface AlertRateComparison {
  readonly patientDays: number;
  readonly toleranceMs: number;
  readonly a: AlertRates;
  readonly b: AlertRates;
  readonly agreement: AlertAgreement;
}

const rate = (alerts: number, patientDays: number): AlertRate => ({
  alerts,
  perPatientDay: patientDays > 0 ? alerts / patientDays : null,
});

/** Alerts per patient-day, in all and per severity. */
export function alertRates(alerts: readonly ComparedAlert[], patientDays: number): AlertRates {
  const bySeverity = Object.fromEntries(
    SEVERITIES.map((s) => [s, rate(alerts.filter((a) => a.severity === s).length, patientDays)]),
  ) as Record<Severity, AlertRate>;
  return { ...rate(alerts.length, patientDays), bySeverity };
}

/** The agreement figure of matched and unmatched counts (see AlertAgreement.agreement). */
export function agreementOf(matched: number, onlyA: number, onlyB: number): AlertAgreement {
  const total = 2 * matched + onlyA + onlyB;
  return { matched, onlyA, onlyB, agreement: total === 0 ? null : (2 * matched) / total };
}

/**
 * Matches the alerts of two models one to one: same patient, raised at most `toleranceMs` apart.
 * Per patient both lists are walked in time order and the earliest possible pair taken, which for
 * points on a line with a symmetric tolerance gives the largest matching.
 */
export function matchAlerts(
  a: readonly ComparedAlert[],
  b: readonly ComparedAlert[],
  toleranceMs: number,
): AlertAgreement {
  const byPatient = (alerts: readonly ComparedAlert[]) => {
    const map = new Map<string, number[]>();
    for (const x of alerts) map.set(x.patientId, [...(map.get(x.patientId) ?? []), x.at]);
    for (const times of map.values()) times.sort((p, q) => p - q);
    return map;
  };
  const ofA = byPatient(a);
  const ofB = byPatient(b);
  let matched = 0;
  for (const [patientId, times] of ofA) {
    const other = ofB.get(patientId) ?? [];
    let i = 0;
    let j = 0;
    while (i < times.length && j < other.length) {
      if (Math.abs(times[i] - other[j]) <= toleranceMs) {
        matched++;
        i++;
        j++;
      } else if (times[i] < other[j]) i++;
      else j++;
    }
  }
  return agreementOf(matched, a.length - matched, b.length - matched);
}

/** Both models' alert rates side by side over the same patient-days, and how far they agree. */
export function compareAlertRates(
  a: readonly ComparedAlert[],
  b: readonly ComparedAlert[],
  patientDays: number,
  toleranceMs: number,
): AlertRateComparison {
  return {
    patientDays,
    toleranceMs,
    a: alertRates(a, patientDays),
    b: alertRates(b, patientDays),
    agreement: matchAlerts(a, b, toleranceMs),
  };
}

interface Pending {
  readonly side: 'a' | 'b';
  readonly at: number;
}

/**
 * The same matching, online, for a running scorer: alerts arrive per patient in measurement time;
 * one without a partner of the other model within the tolerance becomes unmatched once the
 * patient's clock has moved past it. Memory: per patient, only the alerts still within the tolerance.
 */
export class OnlineAlertAgreement {
  private readonly pending = new Map<string, Pending[]>();
  private matched = 0;
  private onlyA = 0;
  private onlyB = 0;

  constructor(readonly toleranceMs: number) {}

  /** A raised alert of model a or b. */
  add(side: 'a' | 'b', alert: Pick<ComparedAlert, 'patientId' | 'at'>): void {
    const list = this.pending.get(alert.patientId) ?? [];
    const partner = list.findIndex((p) => p.side !== side && Math.abs(p.at - alert.at) <= this.toleranceMs);
    if (partner >= 0) {
      list.splice(partner, 1);
      this.matched++;
    } else list.push({ side, at: alert.at });
    if (list.length > 0) this.pending.set(alert.patientId, list);
    else this.pending.delete(alert.patientId);
  }

  /** The patient's measurement clock reached `at`: alerts older than the tolerance can no longer match. */
  advance(patientId: string, at: number): void {
    const list = this.pending.get(patientId);
    if (!list) return;
    const open = list.filter((p) => {
      if (at - p.at <= this.toleranceMs) return true;
      if (p.side === 'a') this.onlyA++;
      else this.onlyB++;
      return false;
    });
    if (open.length > 0) this.pending.set(patientId, open);
    else this.pending.delete(patientId);
  }

  /** Settled alerts only (those still pending may yet be matched). */
  get result(): AlertAgreement {
    return agreementOf(this.matched, this.onlyA, this.onlyB);
  }
}
