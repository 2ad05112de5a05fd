import { type HealthStatus } from './health';

/**
 * A dependency probe (a Kafka metadata request, a lag query) run at most once per `maxAgeMs`,
 * however often /health is polled; concurrent callers share the one in flight, and a probe that
 * has not answered within `timeoutMs` reports down without starting another.
 */
export class CachedProbe {
  private last: { at: number; status: HealthStatus } | null = null;
  private running: { since: number; result: Promise<HealthStatus> } | null = null;

  constructor(
    private readonly probe: () => Promise<HealthStatus>,
    private readonly maxAgeMs: number,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  run(): Promise<HealthStatus> {
    const now = this.now();
    if (this.last && now - this.last.at < this.maxAgeMs) return Promise.resolve(this.last.status);
    if (this.running) {
      if (now - this.running.since > this.timeoutMs)
        return Promise.resolve({ up: false, detail: `no answer for ${now - this.running.since} ms` });
      return this.running.result;
    }
    const result = this.probe()
      .catch((error: unknown): HealthStatus => ({
        up: false,
        detail: error instanceof Error ? error.message : String(error),
      }))
      .then((status) => {
        this.last = { at: this.now(), status };
        this.running = null;
        return status;
      });
    this.running = { since: now, result };
    return result;
  }
}
