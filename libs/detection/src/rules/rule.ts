import type { Vital } from '@vigil/contracts';

/** A NEWS2 parameter: points 0–3 for one vital's value (Royal College of Physicians, NEWS2 2017). */
export interface News2Rule {
  readonly vital: Vital;
  evaluate(value: number): 0 | 1 | 2 | 3;
}

/** Bands as [upper bound inclusive, points], ascending; the last band catches everything above. */
export type Bands = readonly (readonly [number, 0 | 1 | 2 | 3])[];

export function pointsFromBands(bands: Bands, value: number): 0 | 1 | 2 | 3 {
  for (const [upTo, points] of bands) if (value <= upTo) return points;
  return bands[bands.length - 1][1];
}
