import { type PatientLimits, type VitalLimits } from '@vigil/contracts';
import { type BaselineVital } from '../baseline/patient-baselines';

export type LimitedVital = Exclude<BaselineVital, 'dbp'>;
export const LIMITED_VITALS: readonly LimitedVital[] = ['hr', 'spo2', 'rr', 'temp', 'sbp'];

/**
 * Hard safety limits (IEC 60601-1-8 high priority whatever any model says): values no patient
 * should sit at unattended. Activity raises the HR and RR ceilings (HR 160 on a run is expected).
 */
export const DEFAULT_LIMITS: Readonly<Record<LimitedVital, Required<VitalLimits>>> = {
  hr: { low: 40, high: 140 },
  spo2: { low: 85, high: Infinity },
  rr: { low: 6, high: 30 },
  temp: { low: 35, high: 40 },
  sbp: { low: 90, high: 220 },
};
const ACTIVE_CEILING: Partial<Record<LimitedVital, number>> = { hr: 190, rr: 45 };

/**
 * The limits in force for one vital: the patient's own (set by the care team) over the defaults.
 * Someone whose established normal SBP is below 100 would cross 90 every night; their SBP floor is
 * 10 below their usual (never below 80) unless the care team set one.
 */
export function limitsFor(
  vital: LimitedVital,
  patient: PatientLimits | undefined,
  active: boolean,
  usualSbp: number | null,
): Required<VitalLimits> {
  const base = DEFAULT_LIMITS[vital];
  let low = base.low;
  let high = active ? (ACTIVE_CEILING[vital] ?? base.high) : base.high;
  if (vital === 'sbp' && usualSbp !== null && usualSbp < 100)
    low = Math.max(80, Math.min(low, usualSbp - 10));
  const own = patient?.[vital];
  if (own?.low !== undefined) low = own.low;
  if (own?.high !== undefined) high = active ? Math.max(own.high, high) : own.high;
  return { low, high };
}
