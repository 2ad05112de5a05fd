/**
 * Where a vital was a few minutes ago: the median of per-minute means from `fromMin` to `toMin`
 * minutes back. A sudden fall is judged against it, not only against the patient's usual, because
 * the usual chosen at the edge of the night (the one the value is nearer to) can hide it.
 * Cheap by construction: one running mean per minute, a dozen numbers per patient.
 */
export class RecentLevel {
  private readonly minutes: { minute: number; sum: number; n: number }[] = [];

  constructor(
    private readonly fromMin = 10,
    private readonly toMin = 2,
  ) {}

  /** Adds a reading taken at `at` (ms); readings taken while the vital is off are left out by the caller. */
  add(at: number, value: number): void {
    const minute = Math.floor(at / 60_000);
    const last = this.minutes[this.minutes.length - 1];
    if (last?.minute === minute) {
      last.sum += value;
      last.n++;
      return;
    }
    this.minutes.push({ minute, sum: value, n: 1 });
    while (this.minutes.length > 0 && this.minutes[0].minute <= minute - this.fromMin) this.minutes.shift();
  }

  /** The level `toMin`..`fromMin` minutes before `at`, or null with fewer than half those minutes seen. */
  at(at: number): number | null {
    const now = Math.floor(at / 60_000);
    const means: number[] = [];
    for (const m of this.minutes)
      if (m.minute > now - this.fromMin && m.minute <= now - this.toMin) means.push(m.sum / m.n);
    if (means.length < (this.fromMin - this.toMin) / 2) return null;
    means.sort((a, b) => a - b);
    const mid = means.length >> 1;
    return means.length % 2 ? means[mid] : (means[mid - 1] + means[mid]) / 2;
  }

  clear(): void {
    this.minutes.length = 0;
  }
}
