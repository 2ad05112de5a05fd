import { Inject, Injectable } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import { type Silence } from '@vigil/contracts';
import { CONFIG, RedisConnection } from '@vigil/infra';
import { FEED_MAXLEN, feedKeys } from './alerts.constants';

// KEYS: the patient's silence, the feed stream; ARGV: silence JSON, ttl ms (≤ 0: lifted), patientId, maxlen.
const PUT = `
if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) else redis.call('DEL', KEYS[1]) end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 't', 'silence', 'p', ARGV[3], 'd', ARGV[1])
`;

/**
 * Redis edge for patients' silences: one key per patient that expires when the silence ends, so
 * every gateway (and a restarted one) sees the same silences. Derived state: the record of each is
 * on alerts.audit.
 */
@Injectable()
export class SilenceStore {
  private readonly prefix: string;
  private readonly stream: string;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(CONFIG) config: Settings,
  ) {
    this.prefix = `${config.topicPrefix}vigil:silence:`;
    this.stream = feedKeys(config.topicPrefix).stream;
  }

  /** Sets (or lifts, `until` ≤ now) a silence and appends the change to the clinicians' feed: its feed id. */
  async put(silence: Silence, now = Date.now()): Promise<string> {
    return (await this.redis.client.eval(
      PUT,
      2,
      this.prefix + silence.patientId,
      this.stream,
      JSON.stringify(silence),
      Math.max(0, silence.until - now),
      silence.patientId,
      FEED_MAXLEN,
    )) as string;
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
