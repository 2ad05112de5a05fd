import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { type Admin, type Consumer, type EachBatchPayload } from 'kafkajs';
import { type Settings } from '@vigil/config';
import { TOPICS, type VitalSample } from '@vigil/contracts';
import { CONFIG, decodeJson, type HealthIndicator, KafkaConnection, offsetAfter } from '@vigil/infra';
import { SCORER_GROUP } from './scorer.constants';
import { ScoringService } from './scoring.service';

/**
 * Kafka edge of the scorer. At-least-once: a batch's scores and alerts are acknowledged by Kafka
 * before its offsets are committed, so a crash replays the batch (and deterministic alert ids make
 * the replay harmless). kafkajs fetches the next batch only after this one returns: back-pressure.
 *
 * Windows and alert state live in memory, so on taking over a partition (start, rebalance) the
 * scorer first re-reads the last VIGIL_SCORER_WARMUP_SECONDS of it without producing anything:
 * an episode that began before the restart keeps its start, and so its alert id.
 */
@Injectable()
export class SamplesConsumer implements HealthIndicator, OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly name = 'kafka-consumer';
  private readonly logger = new Logger(SamplesConsumer.name);
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private running = false;
  /** Per partition since the last join: where live processing starts (before it: warm-up), or done. */
  private readonly warmup = new Map<number, bigint | 'live'>();

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly scoring: ScoringService,
    @Inject(CONFIG) private readonly config: Settings,
  ) {
    this.consumer = kafka.kafka.consumer({
      groupId: kafka.group(SCORER_GROUP),
      maxBytesPerPartition: 1 << 20,
    });
    this.admin = kafka.kafka.admin();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    // Ready (health up) once the group has given this instance its partitions.
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.warmup.clear();
      this.running = true;
    });
    await this.consumer.subscribe({
      topic: this.kafka.topic(TOPICS.samples),
      fromBeginning: this.config.newGroupsFrom === 'earliest',
    });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      this.logger.error(
        `consumer crashed: ${String(e.payload.error)}${e.payload.restart ? '; restarting' : ''}`,
      );
      this.running = e.payload.restart; // /health turns 503 when kafkajs gives up
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (p) => this.onBatch(p),
    });
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0 || !payload.isRunning() || payload.isStale()) return;
    let liveFrom = this.warmup.get(batch.partition);
    if (liveFrom === undefined) {
      // First batch since joining: it starts at the committed offset. Rewind for the warm-up first.
      const committed = BigInt(batch.firstOffset() ?? '0');
      const rewindTo = await this.warmupStart(batch.topic, batch.partition, committed);
      if (rewindTo !== null) {
        this.warmup.set(batch.partition, committed);
        this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: rewindTo.toString() });
        return;
      }
      this.warmup.set(batch.partition, (liveFrom = 'live'));
    }
    const warm: VitalSample[] = [];
    const samples: VitalSample[] = [];
    for (const { offset, value } of decodeJson<VitalSample>(
      batch.messages,
      `${batch.topic}[${batch.partition}]`,
      this.logger,
    )) {
      (liveFrom !== 'live' && offset < liveFrom ? warm : samples).push(value);
    }
    if (warm.length > 0) await this.scoring.warmUp(warm);
    if (liveFrom !== 'live' && BigInt(batch.lastOffset()) + 1n >= liveFrom) {
      this.warmup.set(batch.partition, 'live');
      this.logger.log(`partition ${batch.partition}: warm-up done, live from offset ${liveFrom}`);
    }
    if (liveFrom !== 'live' && BigInt(batch.lastOffset()) < liveFrom) {
      payload.resolveOffset(batch.lastOffset()); // fetch on from here; nothing to commit yet
      return await payload.heartbeat();
    }
    const { scores, alerts } = await this.scoring.score(samples);
    await this.kafka.sendMany([
      { topic: TOPICS.scores, records: scores.map((s) => ({ key: s.patientId, value: s })) },
      { topic: TOPICS.alerts, records: alerts.map((a) => ({ key: a.patientId, value: a })) },
    ]);
    payload.resolveOffset(batch.lastOffset()); // kafkajs fetches on from resolved offsets
    await this.consumer.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: offsetAfter(batch) },
    ]);
    await payload.heartbeat();
  }

  /** The offset to re-read from, or null when there is nothing before `committed` worth re-reading. */
  private async warmupStart(topic: string, partition: number, committed: bigint): Promise<bigint | null> {
    if (this.config.scorerWarmupSeconds === 0 || committed === 0n) return null;
    const offsets = await this.admin.fetchTopicOffsetsByTimestamp(
      topic,
      Date.now() - this.config.scorerWarmupSeconds * 1000,
    );
    const found = offsets.find((o) => o.partition === partition);
    if (!found || Number(found.offset) < 0) return null;
    const from = BigInt(found.offset);
    return from < committed ? from : null;
  }

  check(): boolean {
    return this.running;
  }

  // Before the connections close (onApplicationShutdown): the batch in hand still needs Redis/Kafka.
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect(); // finishes the batch in hand, leaves the group
    await this.scoring.flushCheckpoints();
    await this.admin.disconnect();
  }
}
