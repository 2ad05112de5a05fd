import { VITAL_SPECS, type Vital } from '@vigil/contracts';
import { type WfdbHeader, type WfdbSignals } from './wfdb.parser';

/**
 * MIMIC-II numerics signal names → Vigil vitals. HR (ECG) is preferred for heart rate and PULSE
 * (oximeter, what a wrist PPG measures) fills in when HR is missing. No temperature, no steps.
 */
export const MIMIC_SIGNALS: Readonly<Record<string, Vital>> = {
  HR: 'hr',
  PULSE: 'hr',
  RESP: 'rr',
  SpO2: 'spo2',
  NBPSys: 'sbp',
  NBPDias: 'dbp',
};

export interface NumericsSample {
  readonly patientId: string;
  readonly deviceId: string;
  readonly ts: number;
  readonly seq: number;
  readonly hr?: number;
  readonly spo2?: number;
  readonly rr?: number;
  readonly sbp?: number;
  readonly dbp?: number;
}

export interface NumericsOptions {
  readonly patientId: string;
  readonly deviceId: string;
  /** Pipeline cadence (1 s). */
  readonly cadenceMs: number;
  /** When the header has no start time. */
  readonly fallbackStartMs?: number;
  /**
   * 'hold' (default): repeat each minute's value. 'linear': between two measured minutes, step
   * linearly from one to the next (an estimate, so not the default); a minute without a next
   * value is held.
   */
  readonly resample?: 'hold' | 'linear';
}

/**
 * Per numerics sample (one a minute), the vitals it gives: values outside Vigil's physiological
 * ranges (MIMIC writes 0 for "not measured") and invalid samples become missing.
 */
export function numericsVitals(header: WfdbHeader, signals: WfdbSignals): Partial<Record<Vital, number>>[] {
  const n = signals.physical[0]?.length ?? 0;
  const rows: Partial<Record<Vital, number>>[] = Array.from({ length: n }, () => ({}));
  // Signals in priority order (HR before PULSE), so a fallback never overwrites a preferred source.
  const order = Object.keys(MIMIC_SIGNALS);
  const indexed = header.signals
    .map((s, i) => ({ i, vital: MIMIC_SIGNALS[s.description], rank: order.indexOf(s.description) }))
    .filter((s) => s.vital !== undefined)
    .sort((a, b) => a.rank - b.rank);
  for (let t = 0; t < n; t++) {
    for (const { i, vital } of indexed) {
      const v = signals.physical[i][t];
      const spec = VITAL_SPECS[vital];
      if (rows[t][vital] === undefined && Number.isFinite(v) && v >= spec.min && v <= spec.max)
        rows[t][vital] = v;
    }
  }
  return rows;
}

/**
 * Cuff pressures are spot readings: a wearable (and the simulator) reports one sample per
 * measurement, so they are not held — holding them would show the model a minute-long plateau of
 * BP it never saw in training.
 */
export const SPOT_VITALS: ReadonlySet<Vital> = new Set<Vital>(['sbp', 'dbp']);

/**
 * Resampled to the pipeline cadence by sample-and-hold: each minute's continuous numerics (HR,
 * SpO2, RR) are repeated at every cadence tick until the next numerics sample (so at most one
 * sampling interval), never beyond the record's end — a gap stays a gap, nothing is interpolated.
 * Spot readings (NBP) appear once, on the minute's first tick.
 */
export function* numericsToSamples(
  header: WfdbHeader,
  rows: readonly Partial<Record<Vital, number>>[],
  options: NumericsOptions,
): Generator<NumericsSample> {
  const start = header.startMs ?? options.fallbackStartMs ?? 0;
  const periodMs = 1000 / header.frequency;
  const ticks = Math.round(periodMs / options.cadenceMs);
  let seq = 0;
  for (let t = 0; t < rows.length; t++) {
    const base = start + Math.round(t * periodMs);
    const continuous = Object.entries(rows[t]).filter(([v]) => !SPOT_VITALS.has(v as Vital)) as [
      Vital,
      number,
    ][];
    for (let k = 0; k < ticks; k++) {
      const values: Partial<Record<Vital, number>> = k === 0 ? { ...rows[t] } : {};
      for (const [v, x] of continuous) {
        const next = rows[t + 1]?.[v];
        values[v] = options.resample === 'linear' && next !== undefined ? x + ((next - x) * k) / ticks : x;
      }
      yield {
        patientId: options.patientId,
        deviceId: options.deviceId,
        ts: base + k * options.cadenceMs,
        seq: seq++,
        ...values,
      };
    }
  }
}
