import { Inject, Injectable } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import { type AlertView } from '@vigil/contracts';
import { CONFIG, RedisConnection } from '@vigil/infra';

/**
 * Redis edge for alert state: the current view of each alert and the set of open ones. Derived
 * state: a `built` sentinel key says it holds what `alerts.events` and `alerts.audit` say; when the
 * key is gone (FLUSHALL, a Redis restarted empty) the gateway rebuilds it from them (AlertsConsumer).
 */
@Injectable()
export class AlertStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(CONFIG) config: Settings,
  ) {
    this.prefix = `${config.topicPrefix}vigil:alerts:`;
  }

  async get(alertId: string): Promise<AlertView | null> {
    const raw = await this.redis.client.get(this.key(alertId));
    return raw ? (JSON.parse(raw) as AlertView) : null;
  }

  async put(view: AlertView): Promise<void> {
    const tx = this.redis.client
      .multi()
      .set(this.key(view.alertId), JSON.stringify(view), 'EX', 30 * 24 * 3600);
    if (view.status === 'resolved') tx.zrem(this.openKey(), view.alertId);
    else tx.zadd(this.openKey(), view.startedAt, view.alertId);
    await tx.exec();
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
    const ttl = 30 * 24 * 3600;
    const kept = views.filter((v) => v.status !== 'resolved' || v.updatedAt > now - ttl * 1000);
    if (kept.length === 0) return 0;
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
    return opened;
  }

  private key(alertId: string): string {
    return `${this.prefix}alert:${alertId}`;
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
