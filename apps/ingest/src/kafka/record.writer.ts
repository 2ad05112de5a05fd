import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { type Settings } from '@vigil/config';
import { type DeadLetter, TOPICS, type VitalSample } from '@vigil/contracts';
import {
  CONFIG,
  type HealthIndicator,
  type HealthStatus,
  KafkaConnection,
  type Keyed,
  MAX_REQUEST_BYTES,
} from '@vigil/infra';
import { DedupeStore } from '../dedupe/dedupe.store';
import { IngestMetrics } from '../ingest.metrics';

export interface Outbound {
  readonly samples: readonly Keyed<VitalSample>[];
  readonly deadLetters: readonly Keyed<DeadLetter>[];
}

interface Pending extends Outbound {
  /** When it was handed over (Date.now()): how long Kafka has kept it waiting. */
  readonly since: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Gathers the records of concurrently handled messages into one Kafka request (samples and dead
 * letters together, acks = all) and resolves each message's promise when its request is
 * acknowledged. One request is in flight at a time, so records reach each partition in the order
 * messages were written. What waits here is bounded by VIGIL_INGEST_RECEIVE_MAXIMUM per MQTT
 * connection (enforced by the MQTT session), so there is no unbounded queue.
 */
@Injectable()
export class RecordWriter implements HealthIndicator, OnApplicationShutdown {
  readonly name = 'kafka-writes';
  private readonly logger = new Logger(RecordWriter.name);
  private queue: Pending[] = [];
  /** The request in flight to Kafka: since when its oldest record has waited. */
  private inFlightSince: number | null = null;
  private readonly unobserve: () => void;
  private queuedRecords = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private lastError: string | null = null;
  private closing = false;

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly metrics: IngestMetrics,
    private readonly dedupe: DedupeStore,
    @Inject(CONFIG) private readonly config: Settings,
  ) {
    this.unobserve = metrics.observe(() => metrics.kafkaUnackedSeconds.set(this.waitingMs() / 1000));
  }

  /** How long the oldest record not yet acknowledged by Kafka has waited (0: none waiting). */
  waitingMs(now = Date.now()): number {
    const oldest = this.inFlightSince ?? this.queue[0]?.since;
    return oldest === undefined ? 0 : now - oldest;
  }

  /**
   * The `kafka-writes` check: down while Kafka refuses requests (they are retried, nothing is
   * acknowledged to the broker) or keeps one waiting longer than VIGIL_INGEST_MAX_WRITE_STALL_MS.
   */
  check(): HealthStatus {
    const waiting = this.waitingMs();
    if (this.lastError !== null)
      return { up: false, detail: `Kafka refuses writes (${this.lastError}); retrying, for ${waiting} ms` };
    if (waiting > this.config.ingestMaxWriteStallMs)
      return { up: false, detail: `Kafka has not acknowledged a write for ${waiting} ms` };
    return { up: true, detail: `oldest unacknowledged write ${waiting} ms` };
  }

  /** Resolves once Kafka acknowledged every record of `out`. */
  write(out: Outbound): Promise<void> {
    if (out.samples.length === 0 && out.deadLetters.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ...out, since: Date.now(), resolve, reject });
      this.queuedRecords += out.samples.length + out.deadLetters.length;
      if (this.queuedRecords >= this.config.ingestMaxBatchRecords) this.kick(0);
      else this.kick(this.config.ingestLingerMs);
    });
  }

  /** The last Kafka failure, null once a request succeeded again. */
  get failing(): string | null {
    return this.lastError;
  }

  async onApplicationShutdown(): Promise<void> {
    this.unobserve();
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.flushing || this.queue.length > 0) {
      if (this.flushing) await this.flushing;
      else await this.flush();
    }
  }

  /**
   * Right after the Kafka ack, one Redis round trip records the batch's (device, seq) for duplicate
   * detection: a crash in that moment can duplicate at most this one request, never lose it. A Redis
   * failure only weakens duplicate detection.
   */
  private async remember(batch: readonly Pending[]): Promise<void> {
    const seqs = sampleIds(batch);
    await this.dedupe
      .remember(seqs)
      .catch((error: unknown) =>
        this.logger.warn(
          `could not record seqs for duplicate detection: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    this.dedupe.release(seqs);
  }

  private kick(delayMs: number): void {
    if (this.flushing) return; // the running flush picks the queue up when it ends
    if (delayMs === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, delayMs);
    }
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.queue.length === 0) return;
    const batch: Pending[] = [];
    let records = 0;
    let bytes = 0;
    while (
      this.queue.length > 0 &&
      (batch.length === 0 ||
        (records + size(this.queue[0]) <= this.config.ingestMaxBatchRecords &&
          bytes + weight(this.queue[0]) <= MAX_REQUEST_BYTES))
    ) {
      const next = this.queue.shift() as Pending;
      records += size(next);
      bytes += weight(next);
      batch.push(next);
    }
    this.queuedRecords -= records;
    this.inFlightSince = batch[0].since;
    const run = (async () => {
      // A failed request is retried, before anything sent later, so per-partition order holds;
      // meanwhile nothing is acknowledged to the broker (back-pressure) until Kafka is back.
      for (let attempt = 0; ; attempt++) {
        try {
          await this.kafka.sendMany([
            { topic: TOPICS.samples, records: batch.flatMap((p) => p.samples) },
            { topic: TOPICS.deadLetter, records: batch.flatMap((p) => p.deadLetters) },
          ]);
          this.lastError = null;
          await this.remember(batch);
          for (const p of batch) p.resolve();
          return;
        } catch (error) {
          this.lastError = error instanceof Error ? error.message : String(error);
          this.metrics.kafkaRetries.inc();
          if (this.closing) {
            this.dedupe.release(sampleIds(batch));
            for (const p of batch) p.reject(error);
            return;
          }
          const wait = Math.min(5000, 100 * 2 ** Math.min(attempt, 6));
          this.logger.warn(
            `Kafka request of ${records} record(s) failed (${this.lastError}); retrying in ${wait} ms`,
          );
          await delay(wait);
        }
      }
    })();
    this.flushing = run;
    await run;
    this.flushing = null;
    this.inFlightSince = null;
    // What arrived meanwhile has waited long enough: send it now (group commit).
    if (this.queue.length > 0) this.kick(0);
  }
}

const size = (p: Outbound) => p.samples.length + p.deadLetters.length;
const sampleIds = (batch: readonly Outbound[]) =>
  batch.flatMap((p) =>
    p.samples.map((s) => ({ deviceId: s.value.deviceId, seq: s.value.seq, ts: s.value.ts })),
  );

/** An estimate of a message's bytes on the wire: a sample is ~200, a dead letter its payload + ~300. */
const weight = (p: Outbound) =>
  p.samples.length * 200 + p.deadLetters.reduce((n, d) => n + d.value.payload.length + 300, 0);
