import { DeviceRateLimiter, takeTokens } from './rate-limit';

const limit = { ratePerSecond: 10, burst: 50 };

describe(takeTokens.name, () => {
  it('starts full, grants up to the burst, then refills at the rate', () => {
    const first = takeTokens(undefined, 80, 1000, limit);
    expect(first.granted).toBe(50);
    expect(first.bucket.tokens).toBe(0);
    // 0.25 s later: 2.5 tokens, 2 whole ones granted, half a token kept.
    const second = takeTokens(first.bucket, 10, 1250, limit);
    expect(second.granted).toBe(2);
    expect(second.bucket.tokens).toBeCloseTo(0.5);
    // A long silence refills to the burst, never beyond.
    expect(takeTokens(second.bucket, 1000, 1_000_000, limit).granted).toBe(50);
  });

  it('refills nothing when the clock steps back', () => {
    const empty = takeTokens(undefined, 50, 5000, limit).bucket;
    expect(takeTokens(empty, 5, 4000, limit).granted).toBe(0);
  });
});

describe(DeviceRateLimiter.name, () => {
  it('limits one flooding device without touching another', () => {
    const limiter = new DeviceRateLimiter(limit);
    let flooded = 0;
    // dev-a: 20,000 one-sample messages in 10 s; dev-b: one a second.
    for (let i = 0; i < 20_000; i++) flooded += limiter.admit('dev-a', 1, i / 2);
    let steady = 0;
    for (let s = 0; s < 10; s++) steady += limiter.admit('dev-b', 1, s * 1000);
    expect(flooded).toBe(50 + 100 - 1); // the burst, plus 10/s for 10 s (the last 0.5 ms not yet a whole token)
    expect(steady).toBe(10);
  });

  it('admits a batch partly: the first samples go through, the rest are over the limit', () => {
    const limiter = new DeviceRateLimiter(limit);
    expect(limiter.admit('dev-a', 60, 0)).toBe(50);
    expect(limiter.admit('dev-a', 1, 0)).toBe(0);
  });

  it('does not limit when the rate is 0', () => {
    const limiter = new DeviceRateLimiter({ ratePerSecond: 0, burst: 1 });
    expect(limiter.admit('dev-a', 1_000_000, 0)).toBe(1_000_000);
    expect(limiter.size).toBe(0);
  });

  it('forgets idle devices past its bound, keeping the ones still limited', () => {
    const limiter = new DeviceRateLimiter(limit, 2);
    limiter.admit('busy', 50, 0);
    limiter.admit('idle-1', 1, 0);
    limiter.admit('idle-2', 1, 10_000); // idle-1 has refilled by now; busy has too (10 s x 10/s)
    expect(limiter.size).toBe(1);
    expect(limiter.admit('idle-2', 50, 10_000)).toBe(49);
  });
});
