import { VITALS, type Vital } from '@vigil/contracts';

const F = VITALS.length;

/**
 * Largest change from its neighbours a real reading can show at 1 Hz. A heart rate does not jump
 * 30 bpm for one second and come back; a motion artefact does.
 */
export const MAX_JUMP: Partial<Record<Vital, number>> = { hr: 25, spo2: 5, rr: 8 };
const NEIGHBOURS = 3;

/**
 * Removes artefacts in place from one T×F window (oldest first, NaN = missing): a reading further
 * than MAX_JUMP from the median of up to three neighbours on each side becomes missing. Returns how
 * many readings were removed. Single-sample spikes and impossible rates of change are not evidence.
 */
export function removeArtefacts(values: Float32Array, T: number): number {
  let removed = 0;
  const original = new Float32Array(T);
  const around: number[] = [];
  for (const [vital, jump] of Object.entries(MAX_JUMP) as [Vital, number][]) {
    const f = VITALS.indexOf(vital);
    for (let t = 0; t < T; t++) original[t] = values[t * F + f];
    for (let t = 0; t < T; t++) {
      const x = original[t];
      if (Number.isNaN(x)) continue;
      around.length = 0;
      for (let k = Math.max(0, t - NEIGHBOURS); k <= Math.min(T - 1, t + NEIGHBOURS); k++)
        if (k !== t && !Number.isNaN(original[k])) around.push(original[k]);
      if (around.length < 2) continue;
      if (Math.abs(x - median(around)) > jump) {
        values[t * F + f] = NaN;
        removed++;
      }
    }
  }
  return removed;
}

export function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}
