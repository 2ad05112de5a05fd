/** A per-device limit: `ratePerSecond` samples sustained, `burst` at once (the bucket's size). */
export interface RateLimit {
  /** 0 = no limit. */
  readonly ratePerSecond: number;
  readonly burst: number;
}

/** One device's token bucket: tokens left at time `at` (ms). */
export interface TokenBucket {
  readonly tokens: number;
  readonly at: number;
}

/**
 * Pure token bucket: refills at `ratePerSecond` up to `burst` since `bucket.at`, then grants as
 * many of `wanted` tokens as it holds. A new device starts with a full bucket. The clock may not go
 * backwards (a smaller `now` refills nothing).
 */
export function takeTokens(
  bucket: TokenBucket | undefined,
  wanted: number,
  now: number,
  limit: RateLimit,
): { readonly granted: number; readonly bucket: TokenBucket } {
  const start = bucket ?? { tokens: limit.burst, at: now };
  const elapsed = Math.max(0, now - start.at);
  const tokens = Math.min(limit.burst, start.tokens + (elapsed * limit.ratePerSecond) / 1000);
  const granted = Math.max(0, Math.min(wanted, Math.floor(tokens)));
  return { granted, bucket: { tokens: tokens - granted, at: Math.max(now, start.at) } };
}

/**
 * Every device's bucket, in memory (one ingest instance's share of the devices). Bounded: past
 * `maxDevices` buckets, those that refilled completely — idle devices, indistinguishable from new
 * ones — are forgotten.
 */
export class DeviceRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  /** Sweep when the map grows past this; doubled when a sweep frees little (no sweep per message). */
  private sweepAt: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly maxDevices = 100_000,
  ) {
    this.sweepAt = maxDevices;
  }

  /** How many of `wanted` samples `deviceId` may send at `now` (ms); the rest are over its limit. */
  admit(deviceId: string, wanted: number, now: number): number {
    if (this.limit.ratePerSecond <= 0 || wanted === 0) return wanted;
    const { granted, bucket } = takeTokens(this.buckets.get(deviceId), wanted, now, this.limit);
    this.buckets.set(deviceId, bucket);
    if (this.buckets.size > this.sweepAt) {
      this.forgetIdle(now);
      this.sweepAt = Math.max(this.maxDevices, 2 * this.buckets.size);
    }
    return granted;
  }

  get size(): number {
    return this.buckets.size;
  }

  private forgetIdle(now: number): void {
    for (const [deviceId, bucket] of this.buckets) {
      if (takeTokens(bucket, 0, now, this.limit).bucket.tokens >= this.limit.burst)
        this.buckets.delete(deviceId);
    }
  }
}
