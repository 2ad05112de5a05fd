import { VITALS, type Vital } from '@vigil/contracts';

export type SensorFaultKind = 'off_wrist' | 'flatline';

export interface SensorFault {
  readonly kind: SensorFaultKind;
  readonly vitals: readonly Vital[];
  /** For the care team: what to check at the bedside. */
  readonly reason: string;
}

const F = VITALS.length;
const HR = VITALS.indexOf('hr');
const SPO2 = VITALS.indexOf('spo2');
const RR = VITALS.indexOf('rr');
const TEMP = VITALS.indexOf('temp');

/** Optical and respiration sensors silent this long while the device still reports: off the wrist. */
export const OFF_WRIST_SLOTS = 15;
/** Skin temperature below this is a sensor in air, not a patient (NEWS2 would read it as hypothermia). */
export const OFF_WRIST_SKIN_TEMP = 32;
/** A live heart rate is never the same number this many readings in a row: the sensor is stuck. */
export const FLATLINE_READINGS = 60;

/**
 * A technical alarm: signs that the sensor, not the patient, changed. While one holds, the clinical
 * detectors would only raise false alarms (a cold sensor reads as hypothermia, a stuck one as an
 * unusual pattern), so the monitor raises this instead. `values` is one T×F window, oldest first.
 */
export function detectSensorFault(values: Float32Array, T: number): SensorFault | null {
  // Anywhere in the window, not only at its end: until the window is clean again, the model would
  // be reconstructing the fault's traces (cold readings, imputed gaps) and call them unusual.
  const needed = Math.min(OFF_WRIST_SLOTS, T);
  let silentRun = 0;
  let longestSilent = 0;
  let coldest = Infinity;
  for (let t = 0; t < T; t++) {
    const row = t * F;
    let reporting = false;
    for (let f = 0; f < F; f++) reporting ||= !Number.isNaN(values[row + f]);
    const optical = [HR, SPO2, RR].some((f) => !Number.isNaN(values[row + f]));
    silentRun = reporting && !optical ? silentRun + 1 : 0;
    longestSilent = Math.max(longestSilent, silentRun);
    if (!Number.isNaN(values[row + TEMP])) coldest = Math.min(coldest, values[row + TEMP]);
  }
  if (longestSilent >= needed) {
    return {
      kind: 'off_wrist',
      // The skin probe is off the wrist too: its cooling is the room, not the patient.
      vitals: ['hr', 'spo2', 'rr', 'temp'],
      reason: `Check the sensor: no heart rate, SpO2 or respiration for ${longestSilent} s (off the wrist?)`,
    };
  }
  if (coldest < OFF_WRIST_SKIN_TEMP) {
    return {
      kind: 'off_wrist',
      vitals: ['temp'],
      reason: `Check the sensor: skin temperature ${coldest.toFixed(1)} °C (off the wrist?)`,
    };
  }

  let run = 0;
  let last = NaN;
  for (let t = 0; t < T; t++) {
    const v = values[t * F + HR];
    if (Number.isNaN(v)) continue;
    run = v === last ? run + 1 : 1;
    last = v;
  }
  if (run >= Math.min(FLATLINE_READINGS, T)) {
    return {
      kind: 'flatline',
      vitals: ['hr'],
      reason: `Check the sensor: heart rate stuck at ${Math.round(last)} bpm for ${run} readings`,
    };
  }
  return null;
}
