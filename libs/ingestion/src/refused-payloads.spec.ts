import { RefusedPayloads } from './refused-payloads';

describe('RefusedPayloads', () => {
  const broken = Buffer.from('{"ts": ');
  const key = RefusedPayloads.key('dev-1', broken);

  it('matches only a redelivery of a payload it dead-lettered', () => {
    const refused = new RefusedPayloads();
    expect(refused.isRepeat(key, true)).toBe(false);
    refused.remember(key);
    expect(refused.isRepeat(key, true)).toBe(true);
    // The device really sent it again: a new dead letter.
    expect(refused.isRepeat(key, false)).toBe(false);
  });

  it('tells devices apart and forgets a payload whose dead letter did not reach Kafka', () => {
    const refused = new RefusedPayloads();
    refused.remember(key);
    expect(refused.isRepeat(RefusedPayloads.key('dev-2', broken), true)).toBe(false);
    refused.forget(key);
    expect(refused.isRepeat(key, true)).toBe(false);
  });

  it('keeps only the newest payloads', () => {
    const refused = new RefusedPayloads(2);
    const keys = ['a', 'b', 'c'].map((p) => RefusedPayloads.key('dev-1', Buffer.from(p)));
    keys.forEach((k) => refused.remember(k));
    expect(keys.map((k) => refused.isRepeat(k, true))).toEqual([false, true, true]);
  });
});
