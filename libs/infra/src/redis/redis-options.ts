import Redis, { type RedisOptions } from 'ioredis';
import { type Settings } from '@vigil/config';

export type RedisSettings = Pick<
  Settings,
  'redisUrl' | 'redisSentinels' | 'redisSentinelName' | 'redisSentinelPassword'
>;

/**
 * How to reach Redis: VIGIL_REDIS_URL directly, or, with VIGIL_REDIS_SENTINELS, whichever server
 * the sentinels name master of VIGIL_REDIS_SENTINEL_NAME now (ioredis follows a fail-over). The URL
 * still carries the user, password, database and TLS (rediss:) of the data connection then.
 *
 * Redis Cluster is not offered: Vigil's stores update several keys of one patient in one MULTI or
 * script (alert + its indexes), which a cluster refuses across hash slots. Sentinel gives the
 * fail-over; the state is derived and rebuilt from Kafka, so one master is enough for its size.
 */
export function redisConnectionOptions(config: RedisSettings): { url?: string; options: RedisOptions } {
  if (config.redisSentinels.length === 0) return { url: config.redisUrl, options: {} };
  const url = new URL(config.redisUrl);
  const db = url.pathname.replace(/^\//, '');
  return {
    options: {
      sentinels: config.redisSentinels.map((address) => {
        const at = address.lastIndexOf(':');
        return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
      }),
      name: config.redisSentinelName,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(db ? { db: Number(db) } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {}, enableTLSForSentinelMode: true } : {}),
      ...(config.redisSentinelPassword ? { sentinelPassword: config.redisSentinelPassword } : {}),
    },
  };
}

/** A Redis client for the settings (see redisConnectionOptions); `extra` adds client options. */
export function createRedis(config: RedisSettings, extra: RedisOptions = {}): Redis {
  const { url, options } = redisConnectionOptions(config);
  return url === undefined ? new Redis({ ...options, ...extra }) : new Redis(url, { ...options, ...extra });
}
