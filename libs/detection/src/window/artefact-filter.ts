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
  const around = new Float64Array(2 * NEIGHBOURS);
  for (const [vital, jump] of Object.entries(MAX_JUMP) as [Vital, number][]) {
    const f = VITALS.indexOf(vital);
    for (let t = 0; t < T; t++) original[t] = values[t * F + f];
    for (let t = 0; t < T; t++) {
      const x = original[t];
      if (Number.isNaN(x)) continue;
      let n = 0;
      for (let k = Math.max(0, t - NEIGHBOURS); k <= Math.min(T - 1, t + NEIGHBOURS); k++)
        if (k !== t && !Number.isNaN(original[k])) n = insertSorted(around, n, original[k]);
      if (n < 2) continue;
      const mid = n >> 1;
      const m = n % 2 ? around[mid] : (around[mid - 1] + around[mid]) / 2;
      if (Math.abs(x - m) > jump) {
        values[t * F + f] = NaN;
        removed++;
      }
    }
  }
  return removed;
}

/**
 * Inserts x into the sorted first n entries of `into`; returns n + 1. The neighbours are at most
 * six numbers, for every reading of every window: sorting them in place, without an array or a
 * comparator call, was a fifth of the scorer's CPU as `Array.prototype.sort` (vigil bench e2e --cpu-prof).
 */
function insertSorted(into: Float64Array, n: number, x: number): number {
  let i = n;
  while (i > 0 && into[i - 1] > x) {
    into[i] = into[i - 1];
    i--;
  }
  into[i] = x;
  return n + 1;
}

/** The median of numbers (none NaN); `values` is left as it was. */
export function median(values: ArrayLike<number>): number {
  return medianOfSorted(Float64Array.from(values).sort());
}

/** The median of numbers sorted in ascending order. */
export function medianOfSorted(sorted: ArrayLike<number>): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
