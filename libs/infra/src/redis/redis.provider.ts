import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { type Settings } from '@vigil/config';
import { CachedProbe } from '../health/cached-probe';
import { type HealthIndicator, type HealthStatus } from '../health/health';
import { CONFIG } from '../nest/config.module';
import { createRedis } from './redis-options';

/** The one Redis connection of an app. Redis holds derived state only: losing it loses no data. */
@Injectable()
export class RedisConnection implements HealthIndicator, OnApplicationShutdown {
  readonly name = 'redis';
  readonly client: Redis;
  private readonly logger = new Logger(RedisConnection.name);
  private readonly probe: CachedProbe;

  constructor(@Inject(CONFIG) config: Settings) {
    this.client = createRedis(config, {
      lazyConnect: false,
      maxRetriesPerRequest: 3,
      enableAutoPipelining: true,
    });
    this.client.on('error', (error: Error) => this.logger.warn(`redis: ${error.message}`));
    this.probe = new CachedProbe(
      async () => ({ up: (await this.client.ping()) === 'PONG' }),
      1000,
      config.healthCheckTimeoutMs,
    );
  }

  /** Up when the connection is ready and Redis answers a PING now. */
  check(): Promise<HealthStatus> | HealthStatus {
    if (this.client.status !== 'ready') return { up: false, detail: `connection ${this.client.status}` };
    return this.probe.run();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
