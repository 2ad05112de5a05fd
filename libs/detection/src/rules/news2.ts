import { type Severity, type Vital, VITAL_SPECS } from '@vigil/contracts';
import { oxygenSaturationRule } from './oxygen-saturation.rule';
import { oxygenSaturationScale2Rule } from './oxygen-saturation-scale2.rule';
import { pulseRule } from './pulse.rule';
import { respirationRateRule } from './respiration-rate.rule';
import type { News2Rule } from './rule';
import { systolicPressureRule } from './systolic-pressure.rule';
import { temperatureRule } from './temperature.rule';

/**
 * The NEWS2 parameters a wearable measures. Consciousness (ACVPU) and supplemental oxygen are not
 * observable from a wearable, so the aggregate here is a lower bound of the bedside NEWS2.
 */
export const NEWS2_RULES: readonly News2Rule[] = [
  respirationRateRule,
  oxygenSaturationRule,
  systolicPressureRule,
  pulseRule,
  temperatureRule,
];

export interface News2Result {
  readonly total: number;
  readonly points: Partial<Record<Vital, number>>;
  /** The clinical response band: a 3 in any one parameter is a "red score" (urgent review). */
  readonly severity: Severity | null;
  /** Vitals that scored, highest points first. */
  readonly drivers: readonly Vital[];
}

/** The same parameters with SpO2 on scale 2 (hypercapnic respiratory failure). */
export const NEWS2_RULES_SCALE_2: readonly News2Rule[] = NEWS2_RULES.map((r) =>
  r.vital === 'spo2' ? oxygenSaturationScale2Rule : r,
);

/** Scores the values given (missing vitals score nothing). */
export function news2(values: Partial<Record<Vital, number>>, spo2Scale: 1 | 2 = 1): News2Result {
  const points: Partial<Record<Vital, number>> = {};
  let total = 0;
  let red = false;
  for (const rule of spo2Scale === 2 ? NEWS2_RULES_SCALE_2 : NEWS2_RULES) {
    const v = values[rule.vital];
    if (v === undefined) continue;
    const p = rule.evaluate(v);
    points[rule.vital] = p;
    total += p;
    red ||= p === 3;
  }
  // NEWS2 response thresholds: ≥7 emergency, 5–6 urgent, a single 3 urgent ward review.
  const severity: Severity | null = total >= 7 ? 'high' : total >= 5 || red ? 'medium' : null;
  const drivers = (Object.keys(points) as Vital[])
    .filter((v) => (points[v] ?? 0) > 0)
    .sort((a, b) => (points[b] ?? 0) - (points[a] ?? 0));
  return { total, points, severity, drivers };
}

/** "SpO2 88 %, HR 124 bpm" — the driving values, for a clinician. */
export function describeValues(vitals: readonly Vital[], values: Partial<Record<Vital, number>>): string {
  return vitals
    .filter((v) => values[v] !== undefined)
    .map((v) => `${VITAL_SPECS[v].label} ${formatValue(v, values[v] as number)} ${VITAL_SPECS[v].unit}`)
    .join(', ');
}

function formatValue(vital: Vital, value: number): string {
  return vital === 'temp' ? value.toFixed(1) : String(Math.round(value));
}
