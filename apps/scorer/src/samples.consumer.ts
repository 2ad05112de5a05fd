import { Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { type Consumer, type EachBatchPayload } from 'kafkajs';
import { TOPICS, type VitalSample } from '@vigil/contracts';
import { type HealthIndicator, KafkaConnection } from '@vigil/infra';
import { SCORER_GROUP } from './scorer.constants';
import { ScoringService } from './scoring.service';

/**
 * Kafka edge of the scorer. At-least-once: a batch's scores and alerts are acknowledged by Kafka
 * before its offsets are committed, so a crash replays the batch (and deterministic alert ids make
 * the replay harmless). kafkajs fetches the next batch only after this one returns: back-pressure.
 */
@Injectable()
export class SamplesConsumer implements HealthIndicator, OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly name = 'kafka-consumer';
  private readonly logger = new Logger(SamplesConsumer.name);
  private readonly consumer: Consumer;
  private running = false;

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly scoring: ScoringService,
  ) {
    this.consumer = kafka.kafka.consumer({ groupId: kafka.group(SCORER_GROUP), maxBytesPerPartition: 1 << 20 });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.kafka.topic(TOPICS.samples), fromBeginning: false });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      this.logger.error(`consumer crashed: ${String(e.payload.error)}${e.payload.restart ? '; restarting' : ''}`);
      this.running = e.payload.restart; // /health turns 503 when kafkajs gives up
    });
    await this.consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.onBatch(p) });
    this.running = true;
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0 || !payload.isRunning() || payload.isStale()) return;
    const samples: VitalSample[] = [];
    for (const m of batch.messages) {
      if (!m.value) continue;
      try {
        samples.push(JSON.parse(m.value.toString()) as VitalSample);
      } catch {
        // Ingest only writes validated JSON; a foreign record is skipped, not fatal.
        this.logger.warn(`skipped a non-JSON record at ${batch.topic}[${batch.partition}]@${m.offset}`);
      }
    }
    const { scores, alerts } = await this.scoring.score(samples);
    await this.kafka.sendMany([
      { topic: TOPICS.scores, records: scores.map((s) => ({ key: s.patientId, value: s })) },
      { topic: TOPICS.alerts, records: alerts.map((a) => ({ key: a.patientId, value: a })) },
    ]);
    const next = (BigInt(batch.lastOffset()) + 1n).toString();
    await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
    await payload.heartbeat();
  }

  check(): boolean {
    return this.running;
  }

  // Before the connections close (onApplicationShutdown): the batch in hand still needs Redis/Kafka.
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect(); // finishes the batch in hand, leaves the group
  }
}
