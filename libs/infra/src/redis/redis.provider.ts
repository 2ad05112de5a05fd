import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { type Settings } from '@vigil/config';
import { type HealthIndicator } from '../health/health';
import { CONFIG } from '../nest/config.module';

/** The one Redis connection of an app. Redis holds derived state only: losing it loses no data. */
@Injectable()
export class RedisConnection implements HealthIndicator, OnApplicationShutdown {
  readonly name = 'redis';
  readonly client: Redis;
  private readonly logger = new Logger(RedisConnection.name);

  constructor(@Inject(CONFIG) config: Settings) {
    this.client = new Redis(config.redisUrl, {
      lazyConnect: false,
      maxRetriesPerRequest: 3,
      enableAutoPipelining: true,
    });
    this.client.on('error', (error: Error) => this.logger.warn(`redis: ${error.message}`));
  }

  check(): boolean {
    return this.client.status === 'ready';
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
