import { loadConfig } from '@vigil/config';
import { redisConnectionOptions } from './redis-options';

describe(redisConnectionOptions.name, () => {
  it('uses VIGIL_REDIS_URL directly without sentinels', () => {
    expect(redisConnectionOptions(loadConfig({ VIGIL_REDIS_URL: 'redis://r:6380/2' }))).toEqual({
      url: 'redis://r:6380/2',
      options: {},
    });
  });

  it('asks the sentinels for the master, with the URL’s credentials, database and TLS', () => {
    const config = loadConfig({
      VIGIL_REDIS_URL: 'rediss://vigil:p%40ss@ignored:6379/3',
      VIGIL_REDIS_SENTINELS: 'sentinel-0:26379,10.0.0.2:26380',
      VIGIL_REDIS_SENTINEL_NAME: 'vigil',
      VIGIL_REDIS_SENTINEL_PASSWORD: 'sp',
    });
    expect(redisConnectionOptions(config)).toEqual({
      options: {
        sentinels: [
          { host: 'sentinel-0', port: 26379 },
          { host: '10.0.0.2', port: 26380 },
        ],
        name: 'vigil',
        username: 'vigil',
        password: 'p@ss',
        db: 3,
        tls: {},
        enableTLSForSentinelMode: true,
        sentinelPassword: 'sp',
      },
    });
  });
});
