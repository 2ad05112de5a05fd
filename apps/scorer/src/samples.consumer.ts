import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { type Context, type Span, SpanKind } from '@opentelemetry/api';
import { type Admin } from 'kafkajs';
import { Counter, Gauge } from 'prom-client';
import { type Settings } from '@vigil/config';
import { type AlertEvent, TOPICS, type VitalSample, type WindowScore } from '@vigil/contracts';
import { ReorderBuffer, type ReleasedEntry, type ReorderEntry } from '@vigil/detection';
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

const lateSamples = new Counter({
  name: 'vigil_scorer_late_samples_total',
  help: 'Samples scored after a newer sample of their patient (out of order beyond what the reorder buffer could hold)',
});
const duplicateSamples = new Counter({
  name: 'vigil_scorer_duplicate_samples_total',
  help: 'Samples dropped as already scored (the same device, seq and ts read again)',
});
const reorderedSamples = new Counter({
  name: 'vigil_scorer_reordered_samples_total',
  help: 'Samples held after a gap in their device sequence until it filled or timed out',
});
const heldSamples = new Gauge({
  name: 'vigil_scorer_held_samples',
  help: 'Samples the reorder buffer holds now, waiting for a gap in their device sequence to fill',
});

/** What the scorer keeps with a sample while the reorder buffer may hold it. */
interface SampleMeta {
  readonly partition: number;
  readonly offset: bigint;
  /** Its trace context (the alert a window it closes raises continues it). */
  readonly trace: Context;
  /** Re-read below the committed offset for the warm-up: applied, nothing produced. */
  readonly warm: boolean;
}
type Entry = ReorderEntry<VitalSample, SampleMeta>;
type Released = ReleasedEntry<VitalSample, SampleMeta>;

/**
 * The scorer's consumer (on the one ConsumerEdge: records validated, restarts). At-least-once: a batch's scores and alerts are acknowledged by Kafka
 * before its offsets are committed, so a crash replays the batch (and deterministic alert ids make
 * the replay harmless). kafkajs fetches a partition's next batch only after this one returns:
 * back-pressure. Up to VIGIL_SCORER_CONCURRENT_PARTITIONS partitions (default: all 12) are in
 * hand at once: one partition's wait for its outputs' acknowledgement overlaps another's scoring,
 * and their sends share Kafka requests (KafkaConnection merges them; the edge commits in the
 * background).
 *
 * Windows and alert state live in memory, so on taking over a partition (start, rebalance) the
 * scorer first re-reads the last VIGIL_SCORER_WARMUP_SECONDS of it without producing anything:
 * an episode that began before the restart keeps its start, and so its alert id.
 *
 * Samples pass a reorder buffer (VIGIL_SCORER_MAX_LATENESS_MS; 0: none): one that arrives after a
 * gap in its device's sequence waits for the gap to fill. The commit never passes a sample still
 * held (a crash re-reads it); a timer releases what waited long enough on a quiet partition, in the
 * same promise chain as the partition's batches. Warm-up samples go through the buffer too (the previous owner
 * applied them in its order), but count in no metric.
 */
@Injectable()
export class SamplesConsumer implements HealthIndicator, OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly name = 'kafka-consumer';
  private readonly logger = new Logger(SamplesConsumer.name);
  private readonly edge: ConsumerEdge<typeof TOPICS.samples>;
  private readonly admin: Admin;
  /** Per partition since the last join: where live processing starts (before it: warm-up), or done. */
  private readonly warmup = new Map<number, bigint | 'live'>();
  /** Per partition (a patient is on one): its reorder buffer; none when VIGIL_SCORER_MAX_LATENESS_MS is 0. */
  private readonly reorders = new Map<number, ReorderBuffer<VitalSample, SampleMeta>>();
  /** Per partition: its batches, timer releases and the shutdown drain, one after another. */
  private readonly chains = new Map<number, Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;
  private closing = false;
  /** Per partition: read again from here (outputs of released samples failed and the buffer was reset). */
  private readonly rewind = new Map<number, bigint>();

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
      // A fetch waits up to 25 ms for 64 KB (~300 samples): with commits in the background the
      // loop is fast, and at low rates it fetched a few records at a time (1,000 samples/s
      // staggered: scorer 0.29 → 0.18 cores, Kafka 0.58 → 0.34, alert p99 91 ms; bench e2e).
      consumer: { maxBytesPerPartition: 1 << 20, minBytes: 64 * 1024, maxWaitTimeInMs: 25 },
      // Scoring is per patient, and a patient is on one partition: partitions share no state here
      // (each has its own reorder buffer and promise chain).
      concurrentPartitions: config.scorerConcurrentPartitions,
      onAssigned: () => this.onAssigned(),
      onBatch: (batch) => this.serial(batch.partition, () => this.onBatch(batch)),
    });
    this.admin = kafka.kafka.admin();
  }

  private reorder(partition: number): ReorderBuffer<VitalSample, SampleMeta> | null {
    const maxLatenessMs = this.config.scorerMaxLatenessMs;
    if (maxLatenessMs === 0) return null;
    let buffer = this.reorders.get(partition);
    if (!buffer) this.reorders.set(partition, (buffer = new ReorderBuffer({ maxLatenessMs })));
    return buffer;
  }

  private updateHeldGauge(): void {
    let held = 0;
    for (const buffer of this.reorders.values()) held += buffer.held;
    heldSamples.set(held);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.admin.connect();
    await this.edge.start();
    if (this.config.scorerMaxLatenessMs > 0) {
      const every = Math.max(50, this.config.scorerMaxLatenessMs / 2);
      this.timer = setInterval(() => {
        for (const [partition, buffer] of this.reorders)
          if (buffer.held > 0) void this.serial(partition, () => this.releaseDue(partition));
      }, every).unref();
    }
  }

  /** Held samples are not committed: whoever owns their partition now reads them again. */
  private onAssigned(): void {
    this.warmup.clear();
    this.rewind.clear();
    // What was released stays known: a sample read again is a duplicate.
    for (const buffer of this.reorders.values()) buffer.dropHeld();
    heldSamples.set(0);
  }

  private serial<T>(partition: number, task: () => Promise<T>): Promise<T> {
    const run = (this.chains.get(partition) ?? Promise.resolve()).then(task);
    this.chains.set(
      partition,
      run.catch(() => undefined),
    );
    return run;
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
    const rewindTo = this.rewind.get(batch.partition);
    if (rewindTo !== undefined) {
      this.rewind.delete(batch.partition);
      return { seek: rewindTo };
    }
    const warm: Entry[] = [];
    const live: Entry[] = [];
    for (const { offset, value, trace } of batch.records) {
      const isWarm = liveFrom !== 'live' && offset < liveFrom;
      (isWarm ? warm : live).push({
        sample: value,
        meta: { partition: batch.partition, offset, trace, warm: isWarm },
      });
    }
    const released = this.arrange(batch.partition, warm, live);
    await this.applyOrReset(batch.partition, released); // Kafka acknowledged the outputs, or this throws: no commit
    if (liveFrom !== 'live' && batch.lastOffset + 1n >= liveFrom) {
      this.warmup.set(batch.partition, 'live');
      this.logger.log(`partition ${batch.partition}: warm-up done, live from offset ${liveFrom}`);
    }
    // Still below the committed offset: fetch on, commit nothing (that would move the group back).
    if (liveFrom !== 'live' && batch.lastOffset < liveFrom) return 'resolve';
    const held = this.heldFloor(batch.partition);
    return held === null ? 'commit' : { commit: held }; // never past a sample still held
  }

  /** The batch's samples in the order to apply them: through the reorder buffer, when there is one. */
  private arrange(partition: number, warm: readonly Entry[], live: readonly Entry[]): Released[] {
    const reorder = this.reorder(partition);
    if (!reorder) return [...warm, ...live].map((e) => ({ ...e, late: false }));
    const now = Date.now();
    const released = reorder.add(warm, now);
    const before = { ...reorder.counts };
    const liveReleased = reorder.add(live, now);
    duplicateSamples.inc(reorder.counts.duplicate - before.duplicate);
    reorderedSamples.inc(reorder.counts.held - before.held);
    if (this.closing) liveReleased.push(...reorder.drain()); // shutting down: hold nothing
    lateSamples.inc(liveReleased.filter((r) => r.late && !r.meta.warm).length);
    this.updateHeldGauge();
    return [...released, ...liveReleased];
  }

  /** The lowest offset of a live sample held on this partition (null: none held). */
  private heldFloor(partition: number): bigint | null {
    let floor: bigint | null = null;
    for (const m of this.reorders.get(partition)?.heldMeta() ?? [])
      if (!m.warm && (floor === null || m.offset < floor)) floor = m.offset;
    return floor;
  }

  /** Timer: releases what waited long enough (a quiet partition); the next batch's commit covers it. */
  private async releaseDue(partition: number): Promise<void> {
    const reorder = this.reorders.get(partition);
    if (!reorder || reorder.held === 0) return;
    const released = reorder.due(Date.now());
    lateSamples.inc(released.filter((r) => r.late && !r.meta.warm).length);
    this.updateHeldGauge();
    await this.applyOrReset(partition, released).catch((error: unknown) =>
      this.logger.error(
        `scoring released samples failed: ${String(error)}; partition ${partition} is read again`,
      ),
    );
  }

  /** Scores (or warms up on) released samples and sends the outputs; on failure, forgets and re-reads. */
  private async applyOrReset(partition: number, released: readonly Released[]): Promise<void> {
    try {
      await this.apply(released);
    } catch (error) {
      this.reset(partition, released);
      throw error;
    }
  }

  /**
   * The released samples' outputs did not reach Kafka, but the partition's buffer knows them as
   * released: it would drop them as duplicates when read again. So it forgets, and the partition is
   * read again from the lowest of those samples and of the ones it held (none of them committed).
   */
  private reset(partition: number, failed: readonly Released[]): void {
    const reorder = this.reorders.get(partition);
    if (!reorder) return;
    for (const m of [...failed.map((r) => r.meta), ...reorder.heldMeta()]) {
      const at = this.rewind.get(m.partition);
      if (!m.warm && (at === undefined || m.offset < at)) this.rewind.set(m.partition, m.offset);
    }
    reorder.clear();
    this.updateHeldGauge();
  }

  /** Applies runs of warm-up samples (no output) and live ones (scored) in order, then sends. */
  private async apply(released: readonly Released[]): Promise<void> {
    const scores: WindowScore[] = [];
    const alerts: AlertEvent[] = [];
    const spans: Span[] = [];
    try {
      for (let start = 0; start < released.length;) {
        const warm = released[start].meta.warm;
        let end = start;
        while (end < released.length && released[end].meta.warm === warm) end++;
        const run = released.slice(start, end);
        start = end;
        const samples = run.map((r) => r.sample);
        if (warm) {
          await this.scoring.warmUp(samples);
          continue;
        }
        const out = await this.scoring.score(samples);
        scores.push(...out.scores);
        alerts.push(...out.alerts);
        // Each alert event continues the trace of the sample that closed its window.
        out.alerts.forEach((a, i) => spans.push(alertSpan(a, run[out.alertSamples[i]].meta.trace)));
      }
      if (scores.length + alerts.length === 0) return;
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

  private async drain(partition: number): Promise<void> {
    const reorder = this.reorders.get(partition);
    if (!reorder || reorder.held === 0) return;
    const released = reorder.drain();
    lateSamples.inc(released.filter((r) => r.late && !r.meta.warm).length);
    this.updateHeldGauge();
    await this.applyOrReset(partition, released).catch((error: unknown) =>
      this.logger.error(`scoring the held samples at shutdown failed: ${String(error)}; they are read again`),
    );
  }

  // Before the connections close (onApplicationShutdown): the batch in hand still needs Redis/Kafka.
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true; // from now on a batch releases everything it would hold
    if (this.timer) clearInterval(this.timer);
    // What is held is scored and sent before the edge stops (after it, the batch in hand's commit
    // is the last). Not committed: the next owner re-reads it, and the ids make that harmless.
    await Promise.all([...this.reorders.keys()].map((p) => this.serial(p, () => this.drain(p))));
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
