import { VITALS, type VitalValues } from '@vigil/contracts';

export const FEATURES = VITALS.length;

/**
 * The last T slots of one patient's vitals at a fixed cadence (1 Hz by default), as a ring buffer.
 * Samples are placed by measurement time: a gap leaves its slots empty (NaN, masked later), never
 * invented; two samples in one slot merge; a late sample fills its slot if that is still inside.
 */
export class VitalsWindow {
  private readonly ring: Float32Array;
  /** Slot number (ts / cadence) of the newest slot; -Infinity before the first sample. */
  private head = -Infinity;
  private slotsWithData = 0;

  constructor(
    readonly length: number,
    readonly cadenceMs = 1000,
  ) {
    this.ring = new Float32Array(length * FEATURES).fill(NaN);
  }

  /** Measurement time of the newest slot, epoch ms. */
  get endTs(): number {
    return this.head * this.cadenceMs;
  }

  get newestSlot(): number {
    return this.head;
  }

  /** Slots in the window holding at least one value. */
  get filled(): number {
    return this.slotsWithData;
  }

  /** Returns false when the sample is too old for the window (it is then ignored). */
  push(ts: number, values: VitalValues): boolean {
    const slot = Math.floor(ts / this.cadenceMs);
    if (slot > this.head) this.advanceTo(slot);
    else if (slot <= this.head - this.length) return false;
    const base = (slot % this.length) * FEATURES;
    const wasEmpty = this.slotEmpty(base);
    for (let f = 0; f < FEATURES; f++) {
      const v = values[VITALS[f]];
      if (v !== undefined && Number.isFinite(v)) this.ring[base + f] = v;
    }
    if (wasEmpty && !this.slotEmpty(base)) this.slotsWithData++;
    return true;
  }

  /** Writes the window oldest-first as T×F into `out` at `offset` (NaN = missing). */
  copyTo(out: Float32Array, offset = 0): void {
    const start = (((this.head + 1) % this.length) + this.length) % this.length;
    const tail = (this.length - start) * FEATURES;
    out.set(this.ring.subarray(start * FEATURES), offset);
    out.set(this.ring.subarray(0, start * FEATURES), offset + tail);
  }

  /** Median of the non-missing values of one feature over the newest `slots` slots. */
  recentMedian(feature: number, slots: number): number | undefined {
    const values: number[] = [];
    for (let s = 0; s < Math.min(slots, this.length); s++) {
      const slot = this.head - s;
      const v = this.ring[(((slot % this.length) + this.length) % this.length) * FEATURES + feature];
      if (!Number.isNaN(v)) values.push(v);
    }
    if (values.length === 0) return undefined;
    values.sort((a, b) => a - b);
    const mid = values.length >> 1;
    return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
  }

  private advanceTo(slot: number): void {
    const steps = this.head === -Infinity ? this.length : Math.min(slot - this.head, this.length);
    for (let s = 1; s <= steps; s++) {
      const base = ((((slot - steps + s) % this.length) + this.length) % this.length) * FEATURES;
      if (!this.slotEmpty(base)) this.slotsWithData--;
      this.ring.fill(NaN, base, base + FEATURES);
    }
    this.head = slot;
  }

  private slotEmpty(base: number): boolean {
    for (let f = 0; f < FEATURES; f++) if (!Number.isNaN(this.ring[base + f])) return false;
    return true;
  }
}
