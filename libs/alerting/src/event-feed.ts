import { type SnapshotReason } from '@vigil/contracts';

export type { SnapshotReason };

/**
 * The clinicians' event feed: every alert version and silence change gets one id, the id of its
 * entry in a Redis stream (`<ms>-<seq>`), the same on every gateway and totally ordered. A client
 * that reconnects with the last id it received is sent what came after it ("replay"), or, when that
 * cannot be told exactly, the complete current state ("snapshot") with the reason. Pure decisions
 * here; the stream is read and written by the alerts app.
 */

/** At most this many entries are replayed to one reconnecting client; further behind: a snapshot. */
export const REPLAY_LIMIT = 5000;

export type ResumeDecision =
  { readonly feed: 'replay' } | { readonly feed: 'snapshot'; readonly reason: SnapshotReason };

/** What the stream says about a client's cursor (read by the app, one round trip). */
export interface FeedPosition {
  /** Whether the stream still holds the cursor's own entry (trimming removes from the oldest end). */
  readonly holdsCursor: boolean;
  /** The oldest id the stream keeps, when it has trimmed entries (MAXLEN); null when it never lost any. */
  readonly keptFrom: string | null;
  /** The newest id at which the state was rebuilt (ids up to it do not cover the rebuild), or null. */
  readonly resetAt: string | null;
  /** How many entries come after the cursor, counted up to limit + 1. */
  readonly after: number;
}

const ID = /^(\d{1,16})-(\d{1,16})$/;

/** A stream entry id `<ms>-<seq>` (what clients may send back). */
export function isEventId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value);
}

/** Orders two feed ids (negative: a before b). Both must be isEventId. */
export function compareEventIds(a: string, b: string): number {
  const [, am = '0', as = '0'] = ID.exec(a) ?? [];
  const [, bm = '0', bs = '0'] = ID.exec(b) ?? [];
  const ms = BigInt(am) - BigInt(bm);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(as) - BigInt(bs);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}

/** The larger of two ids (null counts as before every id). */
export function laterEventId(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareEventIds(a, b) >= 0 ? a : b;
}

/**
 * Replay only when it is exact: the stream still holds the cursor's entry (so nothing after it was
 * trimmed), it is after the last rebuild, and at most `limit` entries follow. Otherwise a snapshot
 * (always correct: the complete current state), with the reason.
 */
export function decideResume(
  cursor: string | undefined,
  position: FeedPosition | null,
  limit = REPLAY_LIMIT,
): ResumeDecision {
  if (cursor === undefined) return { feed: 'snapshot', reason: 'no-cursor' };
  if (!isEventId(cursor) || position === null) return { feed: 'snapshot', reason: 'unknown-cursor' };
  if (position.resetAt !== null && compareEventIds(cursor, position.resetAt) <= 0)
    return { feed: 'snapshot', reason: 'feed-reset' };
  if (!position.holdsCursor) {
    const trimmed = position.keptFrom !== null && compareEventIds(cursor, position.keptFrom) < 0;
    return { feed: 'snapshot', reason: trimmed ? 'cursor-expired' : 'unknown-cursor' };
  }
  if (position.after > limit) return { feed: 'snapshot', reason: 'too-far-behind' };
  return { feed: 'replay' };
}

/**
 * While a client catches up it is already registered for live events (so none is missed between the
 * replay's read and going live); those it then holds are sent only when after the last id it got.
 */
export function isNewFor(cursor: string | null, id: string): boolean {
  return cursor === null || compareEventIds(id, cursor) > 0;
}
