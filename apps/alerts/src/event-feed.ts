import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { type Settings } from '@vigil/config';
import { type FeedPosition } from '@vigil/alerting';
import { CONFIG, createRedis, RedisConnection } from '@vigil/infra';
import { feedKeys } from './alerts.constants';

/** One entry of the feed: an alert version or a silence change, its patient, its payload (JSON). */
export interface FeedEntry {
  readonly id: string;
  readonly type: 'alert' | 'silence';
  readonly patientId: string;
  /** The frame clients get (`{"type","data":{…,"eventId"}}`), built once per entry. */
  readonly frame: string;
  readonly status: string | undefined;
}

/** What the feed holds after a client's cursor, read atomically. */
export interface FeedRead {
  readonly position: FeedPosition;
  readonly entries: readonly FeedEntry[];
  /** The stream's newest id (null: none yet). */
  readonly lastId: string | null;
}

// KEYS[1] stream, KEYS[2] reset-at; ARGV[1] cursor, ARGV[2] how many entries after it at most.
// Atomic, so that trimming cannot fall between "the stream holds the cursor" and reading after it.
const READ_AFTER = `
local reset = redis.call('GET', KEYS[2]) or ''
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, '', reset, {}, ''} end
local holds = #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local length, added, first, last = 0, 0, '', ''
for i = 1, #info, 2 do
  if info[i] == 'length' then length = info[i + 1] end
  if info[i] == 'entries-added' then added = info[i + 1] end
  if info[i] == 'first-entry' and info[i + 1] then first = info[i + 1][1] end
  if info[i] == 'last-generated-id' then last = info[i + 1] end
end
-- Trimmed (MAXLEN, XTRIM): more were added than it holds; then it keeps from its first entry on.
local keptFrom = ''
if added > length then keptFrom = first end
local entries = {}
if holds > 0 then entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2]) end
return {holds, keptFrom, reset, entries, last}
`;

type RawEntry = [id: string, fields: string[]];

/**
 * Redis edge of the clinicians' event feed (one stream per topic prefix, written by AlertStore and
 * SilenceStore): reads what came after a client's cursor, and tails the stream for live delivery.
 *
 * Live delivery tails the stream (rather than pushing what this gateway applies from Kafka) because
 * a client's cursor is the newest id it got: that is only safe if it got every id before it, i.e.
 * if each gateway delivers in stream order. Two gateways apply Kafka partitions in their own order
 * and lag differently, so pushing from Kafka could hand a client id 9 before id 8; a reconnect after
 * 9 would then skip 8 for good. Tailing, every gateway delivers the one stream in its one order.
 * The tail blocks (XREAD BLOCK) on a connection of its own: a blocking command on the shared one
 * would hold every other Redis command of the app behind it. Shutdown disconnects that connection
 * first (the blocked read ends at once), then waits for the loop.
 */
@Injectable()
export class EventFeed implements BeforeApplicationShutdown {
  private readonly logger = new Logger(EventFeed.name);
  private readonly keys: ReturnType<typeof feedKeys>;
  private tailConnection: Redis | null = null;
  private loop: Promise<void> | null = null;
  private running = false;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(CONFIG) private readonly config: Settings,
  ) {
    this.keys = feedKeys(config.topicPrefix);
  }

  /** The stream's newest id (null: empty or absent). */
  async lastId(redis: Redis = this.redis.client): Promise<string | null> {
    const [newest] = (await redis.xrevrange(this.keys.stream, '+', '-', 'COUNT', 1)) as RawEntry[];
    return newest?.[0] ?? null;
  }

  /** Whether the stream holds `cursor`, what it trimmed and when the state was rebuilt, and up to `count` entries after it. */
  async readAfter(cursor: string, count: number): Promise<FeedRead> {
    const [holds, keptFrom, resetAt, raw, last] = (await this.redis.client.eval(
      READ_AFTER,
      2,
      this.keys.stream,
      this.keys.resetAt,
      cursor,
      count,
    )) as [number, string, string, RawEntry[], string];
    return {
      position: {
        holdsCursor: holds > 0,
        keptFrom: keptFrom === '' ? null : keptFrom,
        resetAt: resetAt === '' ? null : resetAt,
        after: raw.length,
      },
      entries: raw.map(parseEntry).filter((e): e is FeedEntry => e !== null),
      lastId: last === '' || last === '0-0' ? null : last,
    };
  }

  /** Starts delivering each new entry, in stream order, from the stream's end now. */
  async tail(deliver: (entry: FeedEntry) => void): Promise<void> {
    const connection = createRedis(this.config, { lazyConnect: false, maxRetriesPerRequest: 1 });
    connection.on('error', (error: Error) => this.logger.debug(`feed tail: ${error.message}`));
    this.tailConnection = connection;
    this.running = true;
    let from: string | null = await this.lastId(connection).then(
      (id) => id ?? '0-0',
      () => null,
    );
    this.loop = (async () => {
      while (this.running) {
        try {
          from ??= (await this.lastId(connection)) ?? '0-0';
          const batch = await connection.xread(
            'COUNT',
            500,
            'BLOCK',
            5000,
            'STREAMS',
            this.keys.stream,
            from,
          );
          for (const raw of batch?.[0]?.[1] ?? []) {
            from = raw[0];
            const entry = parseEntry(raw);
            if (entry) deliver(entry);
          }
        } catch (error) {
          if (!this.running) break;
          this.logger.warn(`feed tail: ${String(error)} (retrying)`);
          await new Promise((resolve) => setTimeout(resolve, 500).unref());
        }
      }
    })();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.tailConnection?.disconnect(); // ends the blocked XREAD now, so the loop can finish
    await this.loop;
  }
}

function parseEntry([id, fields]: RawEntry): FeedEntry | null {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i], fields[i + 1]);
  const type = f.get('t');
  const patientId = f.get('p');
  const data = f.get('d');
  if ((type !== 'alert' && type !== 'silence') || patientId === undefined || data === undefined) return null;
  const payload = JSON.parse(data) as Record<string, unknown>;
  return {
    id,
    type,
    patientId,
    frame: JSON.stringify({ type, data: { ...payload, eventId: id } }),
    status: typeof payload.status === 'string' ? payload.status : undefined,
  };
}
