/**
 * Group commit for requests to Kafka: one request in flight at a time; what callers submit while it
 * is in flight goes out together in the next one. Each caller's promise settles with the request
 * that carried its item. The first item of an idle coalescer leaves at once (no timer, no added
 * latency); under load, N callers cost a few requests instead of N round trips one after another.
 *
 * Items leave in the order they were submitted, so a merge that keeps that order keeps per-partition
 * order. A request takes items up to `maxWeight` (always at least one).
 */
export class Coalescer<T> {
  private readonly queue: Queued<T>[] = [];
  private draining: Promise<void> | null = null;

  constructor(
    private readonly request: (items: readonly T[]) => Promise<void>,
    private readonly maxWeight = Number.POSITIVE_INFINITY,
  ) {}

  submit(item: T, weight = 1): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, weight, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** Items waiting for a request (not counting the one in flight). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves once every item submitted so far was carried, whatever the outcome. */
  idle(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    // Let the submitting caller's own turn finish first: what it submits next in the same turn
    // (several topics, several partitions) joins this request.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const taken: Queued<T>[] = [];
      let weight = 0;
      while (
        this.queue.length > 0 &&
        (taken.length === 0 || weight + this.queue[0].weight <= this.maxWeight)
      ) {
        const next = this.queue.shift() as Queued<T>;
        weight += next.weight;
        taken.push(next);
      }
      try {
        await this.request(taken.map((q) => q.item));
        for (const q of taken) q.resolve();
      } catch (error) {
        for (const q of taken) q.reject(error);
      }
    }
    this.draining = null;
  }
}

interface Queued<T> {
  readonly item: T;
  readonly weight: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}
