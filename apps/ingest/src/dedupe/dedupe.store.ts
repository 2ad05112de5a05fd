import { Inject, Injectable } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import { CONFIG, RedisConnection } from '@vigil/infra';

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
 */
@Injectable()
export class DedupeStore {
  constructor(
    private readonly redis: RedisConnection,
    @Inject(CONFIG) private readonly config: Settings,
  ) {}

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
    const scores = await this.redis.client.zmscore(this.key(deviceId), ...samples.map((s) => String(s.seq)));
    const pending = this.pending.get(deviceId) ?? new Set<string>();
    const duplicate = scores.map(
      (score, i) =>
        (score !== null && Number(score) === samples[i].ts) || pending.has(pendingKey(samples[i])),
    );
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

  /** One Redis round trip for every sample of a Kafka request that was just acknowledged. */
  async remember(samples: readonly SampleId[]): Promise<void> {
    if (this.config.ingestDedupeWindow === 0 || samples.length === 0) return;
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
}

const pendingKey = (s: { seq: number; ts: number }): string => `${s.seq}@${s.ts}`;
