import { Inject, Injectable } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import { type AlertView } from '@vigil/contracts';
import { CONFIG, RedisConnection } from '@vigil/infra';
import { FEED_MAXLEN, feedKeys } from './alerts.constants';

const TTL_SECONDS = 30 * 24 * 3600;

// Compare-and-set of one alert, appending the new version to the feed in the same step.
// KEYS: view, open set, feed stream, the view's feed id; ARGV: new view JSON, the JSON it replaces
// ('' for none), ttl, status, startedAt, alertId, patientId, maxlen.
// Returns the version's feed id; {err} "conflict" when the stored view is neither the one read nor
// this version (another writer got there first: read and apply again). The same version written
// twice (two gateways applying the same record) is appended once: the second gets the stored id.
const PUT = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  local id = redis.call('GET', KEYS[4])
  if id then return id end
elseif (current or '') ~= ARGV[2] then
  return redis.error_reply('conflict')
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
if ARGV[4] == 'resolved' then redis.call('ZREM', KEYS[2], ARGV[6]) else redis.call('ZADD', KEYS[2], ARGV[5], ARGV[6]) end
local id = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[8], '*', 't', 'alert', 'p', ARGV[7], 'd', ARGV[1])
redis.call('SET', KEYS[4], id, 'EX', ARGV[3])
return id
`;

// A 'reset' entry (clients never get it) after every id so far, even of a stream Redis lost: its id
// is the point before which cursors do not cover the rebuilt state.
const MARK_RESET = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 't', 'reset')
redis.call('SET', KEYS[2], id)
return id
`;

/** The stored view as read, for a compare-and-set write of the next version. */
export interface StoredAlert {
  readonly view: AlertView;
  readonly raw: string;
}

/**
 * Redis edge for alert state: the current view of each alert and the set of open ones. Derived
 * state: a `built` sentinel key says it holds what `alerts.events` and `alerts.audit` say; when the
 * key is gone (FLUSHALL, a Redis restarted empty) the gateway rebuilds it from them (AlertsConsumer).
 */
@Injectable()
export class AlertStore {
  private readonly prefix: string;
  private readonly feed: ReturnType<typeof feedKeys>;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(CONFIG) config: Settings,
  ) {
    this.prefix = `${config.topicPrefix}vigil:alerts:`;
    this.feed = feedKeys(config.topicPrefix);
  }

  async get(alertId: string): Promise<AlertView | null> {
    return (await this.read(alertId))?.view ?? null;
  }

  async read(alertId: string): Promise<StoredAlert | null> {
    const raw = await this.redis.client.get(this.key(alertId));
    return raw ? { view: JSON.parse(raw) as AlertView, raw } : null;
  }

  /**
   * Writes the next version of an alert if the stored one is still `replaces` (null: none), and
   * appends it to the clinicians' feed in the same step. Resolves to the version's feed id, or null
   * when another writer changed the alert since it was read (read it again and re-apply).
   */
  async put(view: AlertView, replaces: StoredAlert | null): Promise<string | null> {
    try {
      return (await this.redis.client.eval(
        PUT,
        4,
        this.key(view.alertId),
        this.openKey(),
        this.feed.stream,
        this.feedIdKey(view.alertId),
        JSON.stringify(view),
        replaces?.raw ?? '',
        TTL_SECONDS,
        view.status,
        view.startedAt,
        view.alertId,
        view.patientId,
        FEED_MAXLEN,
      )) as string;
    } catch (error) {
      if (error instanceof Error && error.message.includes('conflict')) return null;
      throw error;
    }
  }

  async listOpen(): Promise<AlertView[]> {
    const ids = await this.redis.client.zrange(this.openKey(), 0, -1);
    if (ids.length === 0) return [];
    const raws = await this.redis.client.mget(ids.map((id) => this.key(id)));
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as AlertView);
  }

  /** True for the one caller that claims `name` (e.g. escalating an alert): gateways don't repeat each other. */
  async claim(name: string, ttlSeconds = 24 * 3600): Promise<boolean> {
    return (await this.redis.client.set(`${this.prefix}claim:${name}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  /** Whether the store holds the state rebuilt from Kafka (false: Redis was emptied or restarted empty). */
  async isBuilt(): Promise<boolean> {
    return (await this.redis.client.exists(this.builtKey())) === 1;
  }

  async markBuilt(): Promise<void> {
    await this.redis.client.set(this.builtKey(), String(Date.now()));
  }

  /** One gateway rebuilds at a time; the lock expires should that gateway die mid-way. */
  async lockRebuild(owner: string, ttlSeconds = 120): Promise<boolean> {
    return (await this.redis.client.set(this.lockKey(), owner, 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  async unlockRebuild(owner: string): Promise<void> {
    if ((await this.redis.client.get(this.lockKey())) === owner) await this.redis.client.del(this.lockKey());
  }

  async rebuildLocked(): Promise<boolean> {
    return (await this.redis.client.exists(this.lockKey())) === 1;
  }

  /**
   * Writes rebuilt views, except where a view is there already (written live since Redis came back,
   * so newer). Resolved alerts too, so a replayed raise does not re-open them. Returns how many open.
   */
  async restore(views: readonly AlertView[], now = Date.now()): Promise<number> {
    const ttl = TTL_SECONDS;
    const kept = views.filter((v) => v.status !== 'resolved' || v.updatedAt > now - ttl * 1000);
    if (kept.length === 0) {
      await this.markFeedReset();
      return 0;
    }
    const set = this.redis.client.pipeline();
    for (const v of kept) set.set(this.key(v.alertId), JSON.stringify(v), 'EX', ttl, 'NX');
    const results = (await set.exec()) ?? [];
    const open = this.redis.client.pipeline();
    let opened = 0;
    kept.forEach((v, i) => {
      if (results[i]?.[1] !== 'OK' || v.status === 'resolved') return;
      open.zadd(this.openKey(), v.startedAt, v.alertId);
      opened++;
    });
    if (opened > 0) await open.exec();
    await this.markFeedReset();
    return opened;
  }

  /**
   * Rebuilt views are not in the feed (they would reach open sockets again): a client whose cursor
   * is from before this point gets a snapshot on reconnect (decideResume: 'feed-reset').
   */
  private async markFeedReset(): Promise<void> {
    await this.redis.client.eval(MARK_RESET, 2, this.feed.stream, this.feed.resetAt, FEED_MAXLEN);
  }

  private key(alertId: string): string {
    return `${this.prefix}alert:${alertId}`;
  }

  private feedIdKey(alertId: string): string {
    return `${this.prefix}feed-id:${alertId}`;
  }

  private openKey(): string {
    return `${this.prefix}open`;
  }

  private builtKey(): string {
    return `${this.prefix}built`;
  }

  private lockKey(): string {
    return `${this.prefix}rebuild-lock`;
  }
}
