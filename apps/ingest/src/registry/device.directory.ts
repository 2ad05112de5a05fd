import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type Redis from 'ioredis';
import { type Settings } from '@vigil/config';
import { type RegistryEvent, TOPICS } from '@vigil/contracts';
import {
  CONFIG,
  type HealthIndicator,
  type HealthStatus,
  KafkaConnection,
  LogProjection,
  RedisConnection,
} from '@vigil/infra';
import {
  applyToDevice,
  bindingOf,
  type DeviceBinding,
  type DeviceRecord,
  type PatientRecord,
  registryKeys,
  RegistryStore,
} from '@vigil/registry';

const MAX_ENTRIES = 100_000;

/**
 * Ingest's view of device → patient. Two sources, so that Redis loss stops nothing:
 * - the registry in Redis (fresh to the moment: a device bound a moment ago is accepted on its next
 *   message), behind a local cache whose entries live `VIGIL_INGEST_REGISTRY_CACHE_MS` and are
 *   evicted at once by a registry change (Redis pub/sub);
 * - an in-memory projection of Kafka `registry.changes` (the record; read from the start at boot,
 *   then followed), asked when Redis does not know the device (emptied by FLUSHALL, restarted
 *   without its data) or cannot be reached. So no sample is refused as `unknown_device` because
 *   Redis lost the registry, and ingest does not wait for Redis to come back.
 *
 * It also puts the registry back into Redis (for the REST API, the CLI and the broker files): a
 * `built` sentinel key marks a Redis that holds it; when the key is gone, one ingest instance (a
 * lock) writes the projection's devices and patients back, except keys written since (newer).
 */
@Injectable()
export class DeviceDirectory
  implements
    HealthIndicator,
    OnModuleInit,
    OnApplicationBootstrap,
    BeforeApplicationShutdown,
    OnApplicationShutdown
{
  readonly name = 'registry-projection';
  private readonly logger = new Logger(DeviceDirectory.name);
  private readonly cache = new Map<string, { binding: DeviceBinding; until: number }>();
  private subscriber: Redis | null = null;
  /** Bumped on every eviction: a lookup that raced with a change is not cached. */
  private generation = 0;
  private readonly devices = new Map<string, DeviceRecord>();
  private readonly patients = new Map<string, PatientRecord>();
  private readonly projection: LogProjection<typeof TOPICS.registryChanges>;
  private readonly keys: ReturnType<typeof registryKeys>;
  private watch: NodeJS.Timeout | null = null;
  private restoring: Promise<void> | null = null;

  constructor(
    private readonly registry: RegistryStore,
    private readonly redis: RedisConnection,
    kafka: KafkaConnection,
    @Inject(CONFIG) private readonly config: Settings,
  ) {
    this.keys = registryKeys(config.topicPrefix);
    this.projection = new LogProjection(kafka, TOPICS.registryChanges, 'vigil-ingest-registry', (e) =>
      this.apply(e),
    );
  }

  async onModuleInit(): Promise<void> {
    const channel = this.keys.changed;
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

  // After every module's init: the Kafka edge has created the topics by then.
  async onApplicationBootstrap(): Promise<void> {
    await this.projection.start();
    this.watch = setInterval(() => void this.restoreRedisView(), 1000);
    this.watch.unref();
  }

  /** Ready once the projection has read the whole registry log. */
  check(): HealthStatus {
    return this.projection.check();
  }

  async binding(deviceId: string, now = Date.now()): Promise<DeviceBinding> {
    const hit = this.cache.get(deviceId);
    if (hit && hit.until > now) return hit.binding;
    const generation = this.generation;
    let record: DeviceRecord | null = null;
    if (this.redis.client.status === 'ready') {
      try {
        record = await this.registry.device(deviceId);
      } catch (error) {
        this.logger.debug(`registry lookup in Redis failed, the projection answers: ${String(error)}`);
      }
    }
    if (record === null) return bindingOf(this.devices.get(deviceId) ?? null); // Redis lost or away
    const binding = bindingOf(record);
    if (generation !== this.generation) return binding;
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(deviceId, { binding, until: now + this.config.ingestRegistryCacheMs });
    return binding;
  }

  private apply(event: RegistryEvent): void {
    if (event.type === 'patient.care-teams') {
      this.patients.set(event.patientId, { patientId: event.patientId, careTeams: event.careTeams });
      return;
    }
    const next = applyToDevice(this.devices.get(event.deviceId) ?? null, event);
    if (next) this.devices.set(event.deviceId, next);
  }

  /** Puts the registry back into a Redis that lost it (its `built` key is gone). */
  private restoreRedisView(): Promise<void> {
    if (this.restoring || !this.projection.check().up || this.redis.client.status !== 'ready')
      return this.restoring ?? Promise.resolve();
    this.restoring = this.restore()
      .catch((error: unknown) => this.logger.warn(`registry not restored to Redis yet: ${String(error)}`))
      .finally(() => (this.restoring = null));
    return this.restoring;
  }

  private async restore(): Promise<void> {
    const client = this.redis.client;
    const built = `${this.keys.devices}:built`;
    if ((await client.exists(built)) === 1) return;
    const lock = `${this.keys.devices}:restore-lock`;
    if ((await client.set(lock, this.config.ingestInstance, 'EX', 60, 'NX')) !== 'OK') return;
    try {
      const tx = client.pipeline();
      for (const device of this.devices.values()) {
        tx.set(this.keys.device(device.deviceId), JSON.stringify(device), 'NX');
        tx.sadd(this.keys.devices, device.deviceId);
      }
      for (const patient of this.patients.values()) {
        tx.set(this.keys.patient(patient.patientId), JSON.stringify(patient), 'NX');
        tx.sadd(this.keys.patients, patient.patientId);
      }
      tx.set(built, String(Date.now()));
      await tx.exec();
      const records = this.patients.size;
      if (this.devices.size + records > 0)
        this.logger.log(
          `registry restored to Redis from Kafka: ${this.devices.size} device(s), ${records} patient record(s)`,
        );
    } finally {
      await client.del(lock);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.watch) clearInterval(this.watch);
    await this.projection.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }
}
