import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  type Consumer,
  type ConsumerConfig,
  type EachBatchPayload,
  type TopicPartitionOffset,
} from 'kafkajs';
import { Counter, register } from 'prom-client';
import { type TopicName, type TopicPayloads } from '@vigil/contracts';
import { type HealthIndicator, type HealthStatus } from '../health/health';
import { recordContext } from '../tracing/tracing';
import { decodeRecords, type DecodedRecord, offsetAfter } from './batch-records';
import { Coalescer } from './coalescer';
import { type KafkaConnection } from './kafka.connection';

const counter = (name: string, help: string, labelNames: readonly string[]): Counter =>
  (register.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, labelNames });

const invalidRecords = counter(
  'vigil_kafka_invalid_records_total',
  'Records a consumer skipped because they failed their topic contract (empty, not JSON, schema)',
  ['consumer', 'topic', 'reason'],
);
const commitFailures = counter(
  'vigil_kafka_commit_failures_total',
  'Offset commits that failed (a rebalance, Kafka away); the next commit of the partition covers them, a replay is harmless',
  ['consumer'],
);
const restarts = counter(
  'vigil_kafka_consumer_restarts_total',
  'Times a consumer was restarted after a crash (by kafkajs or, when kafkajs gave up, by the edge)',
  ['consumer'],
);

/** A batch of one partition, every record valid for its topic. */
export interface EdgeBatch<T extends TopicName> {
  readonly topic: T;
  readonly partition: number;
  readonly records: readonly DecodedRecord<TopicPayloads[T]>[];
  /** Offsets of the batch as fetched, invalid records included. */
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  /** The partition's physical topic name (for admin calls). */
  readonly physicalTopic: string;
  heartbeat(): Promise<void>;
}

/**
 * What the handler wants done with the batch it was given, once it returns:
 * - `commit`: done; resolve and commit the offset after it (the default);
 * - `resolve`: done, fetch on, but commit nothing (a projection, or a warm-up re-read below the
 *   committed offset, where committing would move the group backwards);
 * - `{ commit }`: done, fetch on, but commit only up to `commit` (the next offset to read, at most
 *   the one after the batch): a handler still holding some of the records (the scorer's reorder
 *   buffer) must not commit past them;
 * - `{ seek }`: not done; fetch this partition again from `seek` (nothing resolved).
 */
export type BatchOutcome = 'commit' | 'resolve' | { readonly commit: bigint } | { readonly seek: bigint };

export interface ConsumerEdgeOptions<T extends TopicName> {
  /** For logs, metrics and health (`kafka-consumer`, `projection:registry.changes`). */
  readonly name: string;
  readonly topics: readonly T[];
  /**
   * Logical consumer group (prefixed like topics). `private`: a group of this process's own with a
   * random suffix per start, for consumers that commit nothing (projections, replays): a stable group
   * would keep a killed predecessor's member until its session times out.
   */
  readonly group: string | { readonly private: string };
  /** Where a group with no committed offset starts. */
  readonly fromBeginning: boolean;
  /** kafkajs consumer settings (session timeouts, fetch sizes). */
  readonly consumer?: Omit<ConsumerConfig, 'groupId'>;
  readonly onBatch: (batch: EdgeBatch<T>) => Promise<BatchOutcome | void> | BatchOutcome | void;
  /**
   * Partitions whose batches the handler may hold at once (default 1). Above 1 the handler must
   * keep no state shared across partitions (a partition's batches still come one at a time).
   */
  readonly concurrentPartitions?: number;
  /** Called each time the group (re)assigned this member its partitions, before their first batch. */
  readonly onAssigned?: () => void;
}

/**
 * The one Kafka consumer edge: connects, subscribes, decodes and validates every record against the
 * contract schema of its topic (an invalid record is skipped with a warning and counted in
 * `vigil_kafka_invalid_records_total`, never fatal), reads each record's trace context from its
 * traceparent header (the one place consumers extract it; not even looked at while tracing is
 * off), hands each partition's batch to the handler,
 * commits after the handler returned (at-least-once: a handler produces its outputs first), and
 * restarts itself.
 *
 * The commit is not awaited: kafkajs fetches on while it is in flight, and the commits of batches
 * done meanwhile go out together in the next request. A lost commit only means a replay, which
 * consumers make harmless; when stopping, the last commits are awaited. Restarts: kafkajs restarts
 * a consumer after retriable failures; when it gives up (a non-retriable crash) the edge builds a
 * new consumer with back-off (1 s doubling to 30 s).
 *
 * Healthy from the moment the group assigned this member its partitions until a crash, again after
 * the next assignment. kafkajs fetches a partition's next batch only after the handler returned:
 * back-pressure by construction.
 */
export class ConsumerEdge<T extends TopicName> implements HealthIndicator {
  readonly name: string;
  private readonly logger: Logger;
  private readonly logical = new Map<string, T>();
  private consumer: Consumer | null = null;
  /** The current consumer's offset commits, in the background, merged while one is in flight. */
  private commits: Coalescer<TopicPartitionOffset> | null = null;
  private assigned = false;
  private stopping = false;
  private detail = 'not started';
  private restartTimer: NodeJS.Timeout | null = null;
  private backoffMs = 1000;

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly options: ConsumerEdgeOptions<T>,
  ) {
    this.name = options.name;
    this.logger = new Logger(`ConsumerEdge(${options.name})`);
    for (const t of options.topics) this.logical.set(kafka.topic(t), t);
  }

  check(): HealthStatus {
    return this.assigned ? { up: true } : { up: false, detail: this.detail };
  }

  /** Call once the topics exist (onApplicationBootstrap). Resolves once the consumer runs. */
  start(): Promise<void> {
    this.stopping = false;
    return this.launch(true);
  }

  private async launch(atBoot: boolean): Promise<void> {
    const groupId =
      typeof this.options.group === 'string'
        ? this.kafka.group(this.options.group)
        : this.kafka.group(`${this.options.group.private}-${randomBytes(4).toString('hex')}`);
    const consumer = this.kafka.kafka.consumer({ ...this.options.consumer, groupId });
    this.consumer = consumer;
    const commits = new Coalescer<TopicPartitionOffset>((offsets) =>
      consumer.commitOffsets(latestPerPartition(offsets)),
    );
    this.commits = commits;
    this.detail = 'joining its group';
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (consumer !== this.consumer) return;
      this.options.onAssigned?.();
      this.assigned = true;
      this.backoffMs = 1000;
    });
    consumer.on(consumer.events.CRASH, (e) => {
      if (consumer !== this.consumer) return;
      this.assigned = false;
      this.detail = `crashed: ${String(e.payload.error)}`;
      restarts.inc({ consumer: this.name });
      if (this.stopping) return;
      if (e.payload.restart) {
        this.logger.error(`consumer crashed: ${String(e.payload.error)}; kafkajs restarts it`);
        return;
      }
      this.logger.error(
        `consumer crashed and kafkajs gave up: ${String(e.payload.error)}; restarting in ${this.backoffMs} ms`,
      );
      this.scheduleRestart();
    });
    try {
      await consumer.connect();
      await consumer.subscribe({
        topics: [...this.logical.keys()],
        fromBeginning: this.options.fromBeginning,
      });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.concurrentPartitions ?? 1,
        eachBatch: (payload) => this.onBatch(consumer, commits, payload),
      });
    } catch (error) {
      // At boot this fails the app (it cannot start without Kafka); later, retry.
      if (atBoot) throw error;
      this.logger.error(`restart failed: ${String(error)}; retrying in ${this.backoffMs} ms`);
      this.scheduleRestart();
    }
  }

  /** Leaves the group after the batch in hand is done. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.assigned = false;
    this.detail = 'stopped';
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    await this.commits?.idle(); // while still in the group; a batch in hand awaits its own commit
    await this.consumer?.disconnect();
  }

  private scheduleRestart(): void {
    if (this.stopping || this.restartTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(30_000, this.backoffMs * 2);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      const old = this.consumer;
      void (async () => {
        await old?.disconnect().catch(() => undefined);
        if (!this.stopping) await this.launch(false);
      })();
    }, delay);
  }

  private async onBatch(
    consumer: Consumer,
    commits: Coalescer<TopicPartitionOffset>,
    payload: EachBatchPayload,
  ): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0 || !payload.isRunning() || payload.isStale()) return;
    const topic = this.logical.get(batch.topic);
    if (topic === undefined) throw new Error(`unexpected topic ${batch.topic}`);
    const { records, invalid } = decodeRecords(topic, batch.messages, recordContext);
    for (const bad of invalid) {
      invalidRecords.inc({ consumer: this.name, topic, reason: bad.reason });
      this.logger.warn(
        `skipped an invalid record at ${batch.topic}[${batch.partition}]@${bad.offset}: ${bad.detail}`,
      );
    }
    const outcome =
      (await this.options.onBatch({
        topic,
        partition: batch.partition,
        records,
        firstOffset: BigInt(batch.firstOffset() ?? batch.messages[0].offset),
        lastOffset: BigInt(batch.lastOffset()),
        physicalTopic: batch.topic,
        heartbeat: () => payload.heartbeat(),
      })) ?? 'commit';
    if (typeof outcome === 'object' && 'seek' in outcome) {
      consumer.seek({ topic: batch.topic, partition: batch.partition, offset: outcome.seek.toString() });
      return;
    }
    payload.resolveOffset(batch.lastOffset()); // kafkajs fetches on from resolved offsets
    const after = offsetAfter(batch);
    const commit =
      outcome === 'commit'
        ? after
        : outcome === 'resolve'
          ? null
          : outcome.commit < after
            ? outcome.commit
            : after;
    if (commit !== null) {
      const committed = commits
        .submit({ topic: batch.topic, partition: batch.partition, offset: commit.toString() })
        .catch((error: unknown) => {
          commitFailures.inc({ consumer: this.name });
          this.logger.warn(`commit of ${batch.topic}[${batch.partition}]@${commit} failed: ${String(error)}`);
        });
      if (this.stopping) await committed; // the last commits before leaving the group
    }
    await payload.heartbeat();
  }
}

/** Commits merged into one request: each partition's latest (a seek back lowers it on purpose). */
function latestPerPartition(offsets: readonly TopicPartitionOffset[]): TopicPartitionOffset[] {
  const latest = new Map<string, TopicPartitionOffset>();
  for (const o of offsets) latest.set(`${o.topic}\u0000${o.partition}`, o);
  return [...latest.values()];
}
