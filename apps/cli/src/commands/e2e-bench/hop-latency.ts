import { type Consumer, type Kafka } from 'kafkajs';
import { percentile } from './percentile';

/** p50/p95/p99 of a set of durations, ms (null: none measured). */
export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export function percentilesOf(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99) };
}

/** One Prometheus histogram as exposed: cumulative counts by upper bound (`le`), ascending. */
export type HistogramBuckets = readonly (readonly [le: number, count: number])[];

/** The buckets of histogram `name` in a /metrics text, summed over its other labels. */
export function histogramBuckets(text: string, name: string): HistogramBuckets {
  const byLe = new Map<number, number>();
  const prefix = `${name}_bucket{`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    const count = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (le === undefined || !Number.isFinite(count)) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    byLe.set(bound, (byLe.get(bound) ?? 0) + count);
  }
  return [...byLe].sort((a, b) => a[0] - b[0]);
}

/**
 * The q-quantile of what a histogram observed between two scrapes, as the upper bound of the bucket
 * it falls in (so "at most"; Infinity when it is past the last bound), in the histogram's unit.
 * Null when nothing was observed in between.
 */
export function histogramQuantile(
  before: HistogramBuckets,
  after: HistogramBuckets,
  q: number,
): number | null {
  const earlier = new Map(before);
  const delta = after.map(([le, n]) => [le, n - (earlier.get(le) ?? 0)] as const);
  const total = delta.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const wanted = q * total;
  return delta.find(([, n]) => n >= wanted)?.[0] ?? Infinity;
}

/**
 * When each alert's first event reached Kafka (the broker's record timestamp): read from the alert
 * topic by a consumer of the benchmark's own, so an alert's delivery time splits into "until the
 * scorer's alert event is in Kafka" and "Kafka → the alerts gateway → WebSocket". The topic carries
 * a few events a second, so reading it costs the machine nothing worth measuring.
 */
export class AlertEventClock {
  private readonly firstAt = new Map<string, number>();

  private constructor(private readonly consumer: Consumer) {}

  static async start(
    kafka: Kafka,
    topic: string,
    group: string,
    timeoutMs = 60_000,
  ): Promise<AlertEventClock> {
    const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100 });
    const clock = new AlertEventClock(consumer);
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({
      eachMessage: ({ message }) => {
        const value = message.value
          ? (JSON.parse(message.value.toString('utf8')) as { alertId?: unknown })
          : {};
        if (typeof value.alertId === 'string' && !clock.firstAt.has(value.alertId))
          clock.firstAt.set(value.alertId, Number(message.timestamp));
        return Promise.resolve();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      joined,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the alert-event clock did not join ${group}`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    return clock;
  }

  /** Epoch ms at which the alert's first event was appended to Kafka, if seen. */
  at(alertId: string): number | undefined {
    return this.firstAt.get(alertId);
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
