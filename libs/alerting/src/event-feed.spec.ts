import {
  compareEventIds,
  decideResume,
  type FeedPosition,
  isEventId,
  isNewFor,
  laterEventId,
  REPLAY_LIMIT,
} from './event-feed';

const held: FeedPosition = { holdsCursor: true, keptFrom: null, resetAt: null, after: 3 };

describe('event feed', () => {
  describe(compareEventIds.name, () => {
    it('orders by time, then sequence, numerically (not as text)', () => {
      expect(compareEventIds('1700000000000-0', '1700000000001-0')).toBe(-1);
      expect(compareEventIds('1700000000000-10', '1700000000000-9')).toBe(1);
      expect(compareEventIds('999-0', '1000-0')).toBe(-1);
      expect(compareEventIds('5-5', '5-5')).toBe(0);
    });

    it('laterEventId and isNewFor follow the same order', () => {
      expect(laterEventId(null, '1-0')).toBe('1-0');
      expect(laterEventId('2-0', '10-0')).toBe('10-0');
      expect(laterEventId('3-1', null)).toBe('3-1');
      expect(isNewFor(null, '1-0')).toBe(true);
      expect(isNewFor('10-0', '9-9')).toBe(false);
      expect(isNewFor('10-0', '10-0')).toBe(false); // the last replayed one: not twice
      expect(isNewFor('10-0', '10-1')).toBe(true);
    });
  });

  describe(isEventId.name, () => {
    it('accepts stream ids only', () => {
      expect(isEventId('1700000000000-0')).toBe(true);
      for (const bad of [
        '',
        '-',
        '1',
        '1-',
        'a-1',
        '1-1-1',
        ' 1-1',
        5,
        null,
        undefined,
        '1'.repeat(17) + '-0',
      ])
        expect(isEventId(bad)).toBe(false);
    });
  });

  describe(decideResume.name, () => {
    it('replays when the stream still holds the cursor, after the last rebuild, within the limit', () => {
      expect(decideResume('100-0', held)).toEqual({ feed: 'replay' });
      expect(decideResume('100-0', { ...held, resetAt: '99-5' })).toEqual({ feed: 'replay' });
      expect(decideResume('100-0', { ...held, after: REPLAY_LIMIT })).toEqual({ feed: 'replay' });
    });

    it('sends a snapshot without a cursor, or with one that is not a feed id', () => {
      expect(decideResume(undefined, held)).toEqual({ feed: 'snapshot', reason: 'no-cursor' });
      expect(decideResume('not-an-id', held)).toEqual({ feed: 'snapshot', reason: 'unknown-cursor' });
      expect(decideResume('100-0', null)).toEqual({ feed: 'snapshot', reason: 'unknown-cursor' });
    });

    it('sends a snapshot when the stream was trimmed past the cursor', () => {
      const trimmed = { ...held, holdsCursor: false, keptFrom: '150-0' };
      expect(decideResume('100-0', trimmed)).toEqual({ feed: 'snapshot', reason: 'cursor-expired' });
    });

    it('sends a snapshot when the stream never had the cursor (Redis emptied, another feed)', () => {
      const fresh = { ...held, holdsCursor: false, keptFrom: null };
      expect(decideResume('100-0', fresh)).toEqual({ feed: 'snapshot', reason: 'unknown-cursor' });
      // Trimmed, but the cursor is not before what it keeps: it was never in this stream.
      const later = { ...held, holdsCursor: false, keptFrom: '50-0' };
      expect(decideResume('100-0', later)).toEqual({ feed: 'snapshot', reason: 'unknown-cursor' });
    });

    it('sends a snapshot for a cursor from before the state was rebuilt, even if the stream holds it', () => {
      expect(decideResume('100-0', { ...held, resetAt: '100-0' })).toEqual({
        feed: 'snapshot',
        reason: 'feed-reset',
      });
    });

    it('sends a snapshot when more than the limit came after the cursor', () => {
      expect(decideResume('100-0', { ...held, after: REPLAY_LIMIT + 1 })).toEqual({
        feed: 'snapshot',
        reason: 'too-far-behind',
      });
      expect(decideResume('100-0', { ...held, after: 11 }, 10)).toEqual({
        feed: 'snapshot',
        reason: 'too-far-behind',
      });
    });
  });
});
