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
 * A floor that follows a patient whose established normal sits near it: below `below` the floor is
 * `margin` (or `spreads` of their own spread, if more) under their usual, but never under `never`
 * (an athlete asleep at HR 42, a patient whose SBP is 85 every night would otherwise cross it
 * every night).
 */
export const BAND_EDGE_FLOORS: Readonly<
  Partial<
    Record<
      LimitedVital,
      { readonly below: number; readonly margin: number; readonly spreads: number; readonly never: number }
    >
  >
> = {
  hr: { below: 50, margin: 10, spreads: 3.5, never: 30 },
  sbp: { below: 100, margin: 10, spreads: 2, never: 75 },
};

/**
 * The limits in force for one vital: the patient's own (set by the care team) over the defaults,
 * with a band-edge floor that follows an established `usual` and `spread` (null while being learned).
 */
export function limitsFor(
  vital: LimitedVital,
  patient: PatientLimits | undefined,
  active: boolean,
  usual: number | null,
  spread = 0,
): Required<VitalLimits> {
  const base = DEFAULT_LIMITS[vital];
  let low = base.low;
  let high = active ? (ACTIVE_CEILING[vital] ?? base.high) : base.high;
  const edge = BAND_EDGE_FLOORS[vital];
  if (edge && usual !== null && usual < edge.below)
    low = Math.max(edge.never, Math.min(low, usual - Math.max(edge.margin, edge.spreads * spread)));
  const own = patient?.[vital];
  if (own?.low !== undefined) low = own.low;
  if (own?.high !== undefined) high = active ? Math.max(own.high, high) : own.high;
  return { low, high };
}
