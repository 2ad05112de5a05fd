import { Inject, Injectable } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import { type AlertView } from '@vigil/contracts';
import { CONFIG, RedisConnection } from '@vigil/infra';

/**
 * Redis edge for alert state: the current view of each alert and the set of open ones. Derived
 * state: it can be rebuilt by replaying `alerts.events` and `alerts.audit`.
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

  private key(alertId: string): string {
    return `${this.prefix}alert:${alertId}`;
  }

  private openKey(): string {
    return `${this.prefix}open`;
  }
}
