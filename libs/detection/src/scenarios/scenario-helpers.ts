import type { VitalValues } from '@vigil/contracts';
import { DEFAULT_DETECTION_OPTIONS } from '../pipeline/detection-options';
import { DetectionPipeline, type DetectionOutput, type SampleLike } from '../pipeline/detection-pipeline';
import type { WindowScorerLike } from '../pipeline/window-scorer';

/** 08:00 UTC: day time for the default ward clock. */
export const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);
export const NORMAL: VitalValues = { hr: 72, spo2: 97, rr: 14, temp: 36.8, sbp: 120, dbp: 78, steps: 0 };
/** Long enough for every dense vital's normal to be learned (the baselines' stated warm-up is 30 min). */
export const WARM_UP_S = 35 * 60;

/**
 * `seconds` samples at 1 Hz from `startS`, at a wearable's cadences (temperature each minute, blood
 * pressure every 15 min), with `at(s)` overriding vitals at second s (undefined = not measured).
 */
export function samples(
  patientId: string,
  startS: number,
  seconds: number,
  at: (s: number) => VitalValues = () => ({}),
): SampleLike[] {
  return Array.from({ length: seconds }, (_, i) => {
    const s = startS + i;
    const { temp, sbp, dbp, ...dense } = NORMAL;
    const values: VitalValues = {
      ...dense,
      // A live heart rate wanders by a beat or two; a constant one is a stuck sensor.
      hr: (NORMAL.hr as number) + (s % 3),
      ...(s % 60 === 0 ? { temp } : {}),
      ...(s % 900 === 0 ? { sbp, dbp } : {}),
      ...at(s),
    };
    return { patientId, ts: T0 + s * 1000, ...values };
  });
}

/** A pipeline with the default settings (and optionally a model) that has learned `patientId`'s normal. */
export async function warmedUp(
  patientId: string,
  scorer: WindowScorerLike | null = null,
  at?: (s: number) => VitalValues,
): Promise<{ pipeline: DetectionPipeline; warmUp: DetectionOutput }> {
  const options = scorer
    ? { ...DEFAULT_DETECTION_OPTIONS, model: { alertError: 1, residualInput: true } }
    : DEFAULT_DETECTION_OPTIONS;
  const pipeline = new DetectionPipeline(options, scorer);
  const warmUp = await pipeline.process(samples(patientId, 0, WARM_UP_S, at));
  return { pipeline, warmUp };
}
