import { Logger } from '@nestjs/common';
import { type Admin, KafkaJSError } from 'kafkajs';
import { type TopicName, type TopicPayloads } from '@vigil/contracts';
import { type HealthIndicator, type HealthStatus } from '../health/health';
import { type BatchOutcome, ConsumerEdge, type EdgeBatch } from './consumer-edge';
import { type KafkaConnection } from './kafka.connection';

/**
 * An in-memory projection of a whole log topic (a registry, per-patient settings): read from the
 * beginning on every boot, then followed (through the ConsumerEdge: validated records, restarts); healthy only once it has applied everything that was in
 * the log when it started, so an app never serves from a half-built projection.
 *
 * It never commits an offset and so needs no group state; kafkajs still wants a group id, so each
 * process joins a group of its own (name + a random suffix). A shared, stable group would still
 * hold a killed process's member until its session timed out, and `resetOffsets` refuses a group
 * with members: the restarted process then resumed at the end with an empty projection. A fresh
 * group has no offsets and no members, starts at the earliest offset, and is gone once it leaves.
 */
export class LogProjection<T extends TopicName> implements HealthIndicator {
  readonly name: string;
  private readonly logger: Logger;
  private readonly edge: ConsumerEdge<T>;
  /** Offset (per partition) to reach to be caught up; emptied as each is reached. */
  private readonly pending = new Map<number, bigint>();
  private caughtUp = false;
  private applied = 0;
  /** With `since`: per partition, the first offset to apply (the log before it is skipped by a seek). */
  private readonly from = new Map<number, bigint>();
  private readonly sought = new Set<number>();

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly topic: T,
    group: string,
    private readonly apply: (record: TopicPayloads[T]) => void,
    /** Epoch ms: only records written since then (a recent tail, not the whole log). */
    private readonly since?: number,
  ) {
    this.name = `projection:${topic}`;
    this.logger = new Logger(`LogProjection(${topic})`);
    this.edge = new ConsumerEdge(kafka, {
      name: this.name,
      topics: [topic],
      group: { private: group },
      fromBeginning: true,
      // An empty log: caught up as soon as the (private) group assigned the partitions.
      onAssigned: () => this.markIfCaughtUp(),
      onBatch: (batch) => this.onBatch(batch),
    });
  }

  /** Caught up once; after a consumer crash, also assigned again (it follows the log live). */
  check(): HealthStatus {
    if (!this.caughtUp) return { up: false, detail: 'catching up with the log' };
    return this.edge.check();
  }

  /** Call once the topics exist (onApplicationBootstrap). */
  async start(): Promise<void> {
    const topic = this.kafka.topic(this.topic);
    const admin = this.kafka.kafka.admin();
    await admin.connect();
    try {
      const since = this.since;
      const from =
        since === undefined ? [] : await retrying(() => admin.fetchTopicOffsetsByTimestamp(topic, since));
      for (const p of await logEnd(admin, topic)) {
        const start = from.find((f) => f.partition === p.partition);
        // -1: nothing written since then in that partition.
        const first =
          start === undefined ? BigInt(p.low) : BigInt(start.offset === '-1' ? p.high : start.offset);
        if (start !== undefined) this.from.set(p.partition, first);
        if (BigInt(p.high) > first) this.pending.set(p.partition, BigInt(p.high));
      }
    } finally {
      await admin.disconnect();
    }
    await this.edge.start();
  }

  async stop(): Promise<void> {
    this.caughtUp = false;
    await this.edge.stop();
  }

  private onBatch(batch: EdgeBatch<T>): BatchOutcome {
    const from = this.from.get(batch.partition);
    if (from !== undefined && !this.sought.has(batch.partition)) {
      this.sought.add(batch.partition);
      if (batch.firstOffset < from) return { seek: from };
    }
    for (const { offset, value } of batch.records) {
      if (from !== undefined && offset < from) continue;
      this.apply(value);
      this.applied++;
    }
    const target = this.pending.get(batch.partition);
    if (target !== undefined && batch.lastOffset + 1n >= target) this.pending.delete(batch.partition);
    this.markIfCaughtUp();
    return 'resolve'; // a projection commits nothing: each start reads the whole log
  }

  private markIfCaughtUp(): void {
    if (this.caughtUp || this.pending.size > 0) return;
    this.caughtUp = true;
    this.logger.log(`caught up: ${this.applied} records applied`);
  }
}

/**
 * A topic's low and high offsets per partition. Right after the topic was created the broker may
 * answer "not the leader" for a moment; retriable errors are retried (for at most about 10 s), for
 * offsets by timestamp too.
 */
function logEnd(admin: Admin, topic: string): ReturnType<Admin['fetchTopicOffsets']> {
  return retrying(() => admin.fetchTopicOffsets(topic));
}

async function retrying<R>(request: () => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (attempt >= 20 || !(error instanceof KafkaJSError) || !error.retriable) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * attempt)));
    }
  }
}
