/**
 * A patient's usual reconstruction error: the median of their recent non-alerting windows, blended
 * with the model's population prior until enough of the patient's own windows have been seen. An
 * anomaly score is then error / usual, so "4× usual" means the same for every patient.
 */
export class PersonalBaseline {
  private readonly history: number[] = [];

  constructor(
    private readonly prior: number,
    private readonly capacity = 720,
    private readonly priorWeight = 60,
  ) {}

  get usual(): number {
    const n = this.history.length;
    if (n === 0) return this.prior;
    const sorted = [...this.history].sort((a, b) => a - b);
    const median = sorted[n >> 1];
    return (this.prior * this.priorWeight + median * n) / (this.priorWeight + n);
  }

  ratio(error: number): number {
    return error / Math.max(this.usual, 1e-9);
  }

  /** Learn from a window that did not alert (alerting windows would teach it the anomaly). */
  learn(error: number): void {
    this.history.push(error);
    if (this.history.length > this.capacity) this.history.shift();
  }
}
