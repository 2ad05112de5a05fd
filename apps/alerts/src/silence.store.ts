import { Inject, Injectable } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import { type Silence } from '@vigil/contracts';
import { CONFIG, RedisConnection } from '@vigil/infra';

/**
 * Redis edge for patients' silences: one key per patient that expires when the silence ends, so
 * every gateway (and a restarted one) sees the same silences. Derived state: the record of each is
 * on alerts.audit.
 */
@Injectable()
export class SilenceStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(CONFIG) config: Settings,
  ) {
    this.prefix = `${config.topicPrefix}vigil:silence:`;
  }

  async put(silence: Silence, now = Date.now()): Promise<void> {
    const ttl = silence.until - now;
    if (ttl <= 0) await this.redis.client.del(this.prefix + silence.patientId);
    else await this.redis.client.set(this.prefix + silence.patientId, JSON.stringify(silence), 'PX', ttl);
  }

  async get(patientId: string): Promise<Silence | null> {
    const raw = await this.redis.client.get(this.prefix + patientId);
    return raw ? (JSON.parse(raw) as Silence) : null;
  }

  async list(): Promise<Silence[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.client.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const raws = await this.redis.client.mget(keys);
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as Silence);
  }
}
