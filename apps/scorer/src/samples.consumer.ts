import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { type Context, type Span, SpanKind } from '@opentelemetry/api';
import { type Admin } from 'kafkajs';
import { type Settings } from '@vigil/config';
import { type AlertEvent, TOPICS, type VitalSample } from '@vigil/contracts';
import {
  type BatchOutcome,
  CONFIG,
  ConsumerEdge,
  type EdgeBatch,
  endSpan,
  type HealthIndicator,
  type HealthStatus,
  KafkaConnection,
  pseudonym,
  startSpan,
  traceHeaders,
} from '@vigil/infra';
import { SCORER_GROUP } from './scorer.constants';
import { ScoringService } from './scoring.service';

/**
 * The scorer's consumer (on the one ConsumerEdge: records validated, restarts). At-least-once: a batch's scores and alerts are acknowledged by Kafka
 * before its offsets are committed, so a crash replays the batch (and deterministic alert ids make
 * the replay harmless). kafkajs fetches a partition's next batch only after this one returns:
 * back-pressure. Up to VIGIL_SCORER_CONCURRENT_PARTITIONS partitions are in hand at once, so one
 * partition's wait for Kafka (its outputs acknowledged, its commit) overlaps another's scoring.
 *
 * Windows and alert state live in memory, so on taking over a partition (start, rebalance) the
 * scorer first re-reads the last VIGIL_SCORER_WARMUP_SECONDS of it without producing anything:
 * an episode that began before the restart keeps its start, and so its alert id.
 */
@Injectable()
export class SamplesConsumer implements HealthIndicator, OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly name = 'kafka-consumer';
  private readonly logger = new Logger(SamplesConsumer.name);
  private readonly edge: ConsumerEdge<typeof TOPICS.samples>;
  private readonly admin: Admin;
  /** Per partition since the last join: where live processing starts (before it: warm-up), or done. */
  private readonly warmup = new Map<number, bigint | 'live'>();

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly scoring: ScoringService,
    @Inject(CONFIG) private readonly config: Settings,
  ) {
    this.edge = new ConsumerEdge(kafka, {
      name: this.name,
      topics: [TOPICS.samples],
      group: SCORER_GROUP,
      fromBeginning: config.newGroupsFrom === 'earliest',
      consumer: { maxBytesPerPartition: 1 << 20 },
      // Scoring is per patient, and a patient is on one partition: partitions share no state here.
      concurrentPartitions: config.scorerConcurrentPartitions,
      onAssigned: () => this.warmup.clear(),
      onBatch: (batch) => this.onBatch(batch),
    });
    this.admin = kafka.kafka.admin();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.admin.connect();
    await this.edge.start();
  }

  private async onBatch(batch: EdgeBatch<typeof TOPICS.samples>): Promise<BatchOutcome> {
    let liveFrom = this.warmup.get(batch.partition);
    if (liveFrom === undefined) {
      // First batch since joining: it starts at the committed offset. Rewind for the warm-up first.
      const committed = batch.firstOffset;
      const rewindTo = await this.warmupStart(batch.physicalTopic, batch.partition, committed);
      if (rewindTo !== null) {
        this.warmup.set(batch.partition, committed);
        return { seek: rewindTo };
      }
      this.warmup.set(batch.partition, (liveFrom = 'live'));
    }
    const warm: VitalSample[] = [];
    const samples: VitalSample[] = [];
    const traces: Context[] = []; // of each live sample
    for (const { offset, value, trace } of batch.records) {
      if (liveFrom !== 'live' && offset < liveFrom) warm.push(value);
      else {
        samples.push(value);
        traces.push(trace);
      }
    }
    if (warm.length > 0) await this.scoring.warmUp(warm);
    if (liveFrom !== 'live' && batch.lastOffset + 1n >= liveFrom) {
      this.warmup.set(batch.partition, 'live');
      this.logger.log(`partition ${batch.partition}: warm-up done, live from offset ${liveFrom}`);
    }
    // Still below the committed offset: fetch on, commit nothing (that would move the group back).
    if (liveFrom !== 'live' && batch.lastOffset < liveFrom) return 'resolve';
    const { scores, alerts, alertSamples } = await this.scoring.score(samples);
    // Each alert event continues the trace of the sample that closed its window.
    const spans = alerts.map((a, i) => alertSpan(a, traces[alertSamples[i]]));
    try {
      await this.kafka.sendMany([
        { topic: TOPICS.scores, records: scores.map((s) => ({ key: s.patientId, value: s })) },
        {
          topic: TOPICS.alerts,
          records: alerts.map((a, i) => ({ key: a.patientId, value: a, headers: traceHeaders(spans[i]) })),
        },
      ]);
    } catch (error) {
      for (const span of spans) endSpan(span, error);
      throw error;
    }
    for (const span of spans) endSpan(span);
    return 'commit'; // after Kafka acknowledged the outputs
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

  check(): HealthStatus {
    return this.edge.check();
  }

  // Before the connections close (onApplicationShutdown): the batch in hand still needs Redis/Kafka.
  async beforeApplicationShutdown(): Promise<void> {
    await this.edge.stop(); // finishes the batch in hand, leaves the group
    await this.scoring.flushCheckpoints();
    await this.admin.disconnect();
  }
}

/** The span of one alert event, from its decision to Kafka's acknowledgement (pseudonyms only). */
function alertSpan(alert: AlertEvent, parent: Context): Span {
  return startSpan('scorer alert', {
    kind: SpanKind.PRODUCER,
    parent,
    attributes: () => ({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.destination.name': TOPICS.alerts,
      'vigil.alert.ref': pseudonym(alert.alertId),
      'vigil.patient.ref': pseudonym(alert.patientId),
      'vigil.alert.kind': alert.kind,
      'vigil.alert.state': alert.state,
      'vigil.alert.severity': alert.severity,
      'vigil.alert.vitals': [...alert.vitals],
    }),
  });
}
