import type { VitalValues } from '@vigil/contracts';
import type { SampleLike } from '../pipeline/detection-pipeline';

export const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);
export const NORMAL: VitalValues = { hr: 72, spo2: 97, rr: 14, temp: 36.8, sbp: 120, dbp: 78, steps: 0 };

/** `seconds` samples at 1 Hz from `startS`, with `at(s)` overriding vitals at second s. */
export function samples(
  patientId: string,
  startS: number,
  seconds: number,
  at: (s: number) => VitalValues = () => ({}),
): SampleLike[] {
  return Array.from({ length: seconds }, (_, i) => {
    const s = startS + i;
    // A live heart rate wanders by a beat or two; a constant one is a stuck sensor.
    return { patientId, ts: T0 + s * 1000, ...NORMAL, hr: (NORMAL.hr as number) + (s % 3), ...at(s) };
  });
}
