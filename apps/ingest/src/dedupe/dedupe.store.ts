import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter, register } from 'prom-client';
import { type Settings } from '@vigil/config';
import { TOPICS } from '@vigil/contracts';
import { CONFIG, KafkaConnection, RedisConnection, replayLog } from '@vigil/infra';

/** Newest samples per device this instance remembers in memory too (the bound while Redis is away). */
export const LOCAL_DEDUPE_WINDOW = 256;
/** Devices whose recent samples are remembered in memory (least recently seen forgotten first). */
const LOCAL_DEVICES = 20_000;

const withoutRedis =
  (register.getSingleMetric('vigil_ingest_dedupe_without_redis_total') as Counter | undefined) ??
  new Counter({
    name: 'vigil_ingest_dedupe_without_redis_total',
    help: 'Duplicate checks made from this instance’s memory only, because Redis was unreachable',
  });

/** A sample's identity for duplicate detection. */
export interface SampleId {
  readonly deviceId: string;
  readonly seq: number;
  /** Measurement time: a resend carries the same one; a device that restarted its seq counter does not. */
  readonly ts: number;
}

/**
 * Remembers which samples each device got into Kafka, to drop duplicates (a device or the broker
 * resending after a lost acknowledgement). A sorted set per device maps seq → ts for the newest
 * `VIGIL_INGEST_DEDUPE_WINDOW` samples and expires when the device goes silent. A sample is a
 * duplicate when its seq is there with the same ts, so a device that rebooted and counts from 0
 * again is not taken for one resending all of its history.
 *
 * Seqs are remembered only after Kafka acknowledged the samples: remembering first would turn a
 * crash between the two into a loss (the resent sample would be taken for a duplicate).
 *
 * Redis loss does not stop ingestion: each instance also remembers the newest
 * `LOCAL_DEDUPE_WINDOW` (256) samples of each of the last 20,000 devices it wrote, in memory. While
 * Redis is unreachable, or after it was emptied (FLUSHALL, a restart without persistence), a resent
 * sample is still caught when it is among those; Redis' window refills as samples arrive. The bound:
 * a duplicate of an older sample, or of one another ingest instance wrote, passes in that time.
 */
@Injectable()
export class DedupeStore {
  private readonly logger = new Logger(DedupeStore.name);
  /** Per device, the `seq@ts` of its newest samples this instance got into Kafka (insertion order). */
  private readonly recent = new Map<string, Set<string>>();
  private readonly localWindow: number;
  private warnedAt = 0;

  constructor(
    private readonly redis: RedisConnection,
    private readonly kafka: KafkaConnection,
    @Inject(CONFIG) private readonly config: Settings,
  ) {
    this.localWindow = Math.min(config.ingestDedupeWindow, LOCAL_DEDUPE_WINDOW);
  }

  /** Samples (`seq@ts`) accepted by this instance and not yet recorded in Redis: bounded by what is in flight. */
  private readonly pending = new Map<string, Set<string>>();

  private key(deviceId: string): string {
    return `${this.config.topicPrefix}vigil:ingest:seen:${deviceId}`;
  }

  /**
   * For each sample, whether it is a duplicate: already in Kafka (Redis), or accepted a moment ago
   * by this instance and still on its way. Samples found fresh are claimed, so a copy arriving while
   * the first is in flight is a duplicate too; `release` them once recorded (or given up).
   */
  async claim(deviceId: string, samples: readonly { seq: number; ts: number }[]): Promise<boolean[]> {
    if (this.config.ingestDedupeWindow === 0 || samples.length === 0) return samples.map(() => false);
    const scores = await this.redisScores(deviceId, samples);
    const pending = this.pending.get(deviceId) ?? new Set<string>();
    const recent = this.recent.get(deviceId);
    const duplicate = scores.map((score, i) => {
      const id = pendingKey(samples[i]);
      return (
        (score !== null && Number(score) === samples[i].ts) || pending.has(id) || recent?.has(id) === true
      );
    });
    samples.forEach((sample, i) => {
      if (!duplicate[i]) pending.add(pendingKey(sample));
    });
    if (pending.size > 0) this.pending.set(deviceId, pending);
    return duplicate;
  }

  release(samples: readonly SampleId[]): void {
    for (const sample of samples) {
      const pending = this.pending.get(sample.deviceId);
      if (!pending) continue;
      pending.delete(pendingKey(sample));
      if (pending.size === 0) this.pending.delete(sample.deviceId);
    }
  }

  /** Redis' remembered ts per seq, or nothing known (null each) when Redis is unreachable. */
  private async redisScores(
    deviceId: string,
    samples: readonly { seq: number }[],
  ): Promise<(string | null)[]> {
    if (this.redis.client.status === 'ready') {
      try {
        return await this.redis.client.zmscore(this.key(deviceId), ...samples.map((s) => String(s.seq)));
      } catch (error) {
        this.degraded(error);
      }
    } else this.degraded(new Error(`connection ${this.redis.client.status}`));
    withoutRedis.inc();
    return samples.map(() => null);
  }

  private degraded(error: unknown): void {
    if (Date.now() - this.warnedAt < 10_000) return;
    this.warnedAt = Date.now();
    this.logger.warn(
      `duplicate check without Redis (${error instanceof Error ? error.message : String(error)}): from this instance's memory of each device's newest ${this.localWindow} samples`,
    );
  }

  /**
   * Before taking MQTT messages: remembers every sample written to vitals.samples in the last
   * VIGIL_INGEST_RECHECK_SECONDS. An instance killed between Kafka's acknowledgement and recording
   * the seqs (one round trip) leaves samples that are in Kafka but not remembered; the broker
   * redelivers their messages to this start, and they are now caught as duplicates.
   */
  async recheckRecent(): Promise<void> {
    if (this.config.ingestDedupeWindow === 0 || this.config.ingestRecheckSeconds === 0) return;
    const started = Date.now();
    const recent = await replayLog(
      this.kafka,
      TOPICS.samples,
      'ingest-recheck',
      120_000,
      started - this.config.ingestRecheckSeconds * 1000,
    );
    for (let i = 0; i < recent.length; i += 10_000)
      await this.remember(
        recent.slice(i, i + 10_000).map(({ deviceId, seq, ts }) => ({ deviceId, seq, ts })),
      );
    this.logger.log(
      `remembered ${recent.length} samples of the last ${this.config.ingestRecheckSeconds} s in ${Date.now() - started} ms`,
    );
  }

  /** In memory, then one Redis round trip for every sample of a Kafka request that was just acknowledged. */
  async remember(samples: readonly SampleId[]): Promise<void> {
    if (this.config.ingestDedupeWindow === 0 || samples.length === 0) return;
    for (const sample of samples) this.rememberLocally(sample);
    if (this.redis.client.status !== 'ready') return; // not waiting for a reconnect: memory holds them
    const byDevice = new Map<string, (number | string)[]>();
    for (const { deviceId, seq, ts } of samples) {
      const members = byDevice.get(deviceId) ?? [];
      members.push(ts, String(seq)); // score = ts: the window keeps the newest samples
      byDevice.set(deviceId, members);
    }
    const pipeline = this.redis.client.pipeline();
    for (const [deviceId, members] of byDevice) {
      const key = this.key(deviceId);
      pipeline
        .zadd(key, ...members)
        .zremrangebyrank(key, 0, -(this.config.ingestDedupeWindow + 1))
        .expire(key, this.config.ingestDedupeTtlSeconds);
    }
    await pipeline.exec();
  }

  private rememberLocally(sample: SampleId): void {
    let recent = this.recent.get(sample.deviceId);
    if (recent)
      this.recent.delete(sample.deviceId); // re-inserted: most recently seen last
    else {
      recent = new Set<string>();
      if (this.recent.size >= LOCAL_DEVICES) this.recent.delete(this.recent.keys().next().value as string);
    }
    this.recent.set(sample.deviceId, recent);
    recent.add(pendingKey(sample));
    if (recent.size > this.localWindow) recent.delete(recent.values().next().value as string);
  }
}

const pendingKey = (s: { seq: number; ts: number }): string => `${s.seq}@${s.ts}`;
