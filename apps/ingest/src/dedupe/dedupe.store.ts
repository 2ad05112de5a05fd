import { Inject, Injectable } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import { CONFIG, RedisConnection } from '@vigil/infra';

/**
 * Remembers which sequence numbers each device's samples reached Kafka with, to drop duplicates
 * (a device or the broker resending after a lost acknowledgement). A sorted set per device holds
 * the last `VIGIL_INGEST_DEDUPE_WINDOW` seqs and expires when the device goes silent.
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

  /** Seqs accepted by this instance and not yet recorded in Redis (in the writer): bounded by what is in flight. */
  private readonly pending = new Map<string, Set<number>>();

  private key(deviceId: string): string {
    return `${this.config.topicPrefix}vigil:ingest:seen:${deviceId}`;
  }

  /**
   * For each seq, whether it is a duplicate: already in Kafka (Redis), or accepted a moment ago by
   * this instance and still on its way. Seqs found fresh are claimed, so a copy arriving while the
   * first is in flight is a duplicate too; `release` them once recorded (or given up).
   */
  async claim(deviceId: string, seqs: readonly number[]): Promise<boolean[]> {
    if (this.config.ingestDedupeWindow === 0 || seqs.length === 0) return seqs.map(() => false);
    const scores = await this.redis.client.zmscore(this.key(deviceId), ...seqs.map(String));
    const pending = this.pending.get(deviceId) ?? new Set<number>();
    const duplicate = scores.map((score, i) => score !== null || pending.has(seqs[i]));
    seqs.forEach((seq, i) => {
      if (!duplicate[i]) pending.add(seq);
    });
    if (pending.size > 0) this.pending.set(deviceId, pending);
    return duplicate;
  }

  release(samples: readonly { readonly deviceId: string; readonly seq: number }[]): void {
    for (const { deviceId, seq } of samples) {
      const pending = this.pending.get(deviceId);
      if (!pending) continue;
      pending.delete(seq);
      if (pending.size === 0) this.pending.delete(deviceId);
    }
  }

  /** One Redis round trip for every sample of a Kafka request that was just acknowledged. */
  async remember(samples: readonly { readonly deviceId: string; readonly seq: number }[]): Promise<void> {
    if (this.config.ingestDedupeWindow === 0 || samples.length === 0) return;
    const byDevice = new Map<string, (number | string)[]>();
    for (const { deviceId, seq } of samples) {
      const members = byDevice.get(deviceId) ?? [];
      members.push(seq, String(seq));
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
