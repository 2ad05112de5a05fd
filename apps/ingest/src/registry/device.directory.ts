import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { type Settings } from '@vigil/config';
import { CONFIG, RedisConnection } from '@vigil/infra';
import { bindingOf, type DeviceBinding, registryKeys, RegistryStore } from '@vigil/registry';

const MAX_ENTRIES = 100_000;

/**
 * Ingest's view of device → patient: a local cache in front of the registry in Redis. Entries live
 * `VIGIL_INGEST_REGISTRY_CACHE_MS`, and a registry change evicts its device at once (Redis pub/sub),
 * so a device bound a moment ago is accepted on its next message.
 */
@Injectable()
export class DeviceDirectory implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DeviceDirectory.name);
  private readonly cache = new Map<string, { binding: DeviceBinding; until: number }>();
  private subscriber: Redis | null = null;
  /** Bumped on every eviction: a lookup that raced with a change is not cached. */
  private generation = 0;

  constructor(
    private readonly registry: RegistryStore,
    private readonly redis: RedisConnection,
    @Inject(CONFIG) private readonly config: Settings,
  ) {}

  async onModuleInit(): Promise<void> {
    const channel = registryKeys(this.config.topicPrefix).changed;
    this.subscriber = this.redis.client.duplicate();
    this.subscriber.on('error', (error: Error) =>
      this.logger.warn(`registry subscription: ${error.message}`),
    );
    this.subscriber.on('message', (_channel: string, deviceId: string) => {
      this.generation++;
      this.cache.delete(deviceId);
    });
    // After a reconnect, changes may have been missed: start from an empty cache.
    this.subscriber.on('ready', () => {
      this.generation++;
      this.cache.clear();
    });
    await this.subscriber.subscribe(channel);
  }

  async binding(deviceId: string, now = Date.now()): Promise<DeviceBinding> {
    const hit = this.cache.get(deviceId);
    if (hit && hit.until > now) return hit.binding;
    const generation = this.generation;
    const binding = bindingOf(await this.registry.device(deviceId));
    if (generation !== this.generation) return binding;
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(deviceId, { binding, until: now + this.config.ingestRegistryCacheMs });
    return binding;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }
}
