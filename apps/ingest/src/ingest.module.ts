import { type DynamicModule, Module } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import {
  HEALTH_INDICATORS,
  HealthController,
  KafkaConnection,
  RedisConnection,
  SecuredMetricsController,
  VigilConfigModule,
} from '@vigil/infra';
import { DedupeStore } from './dedupe/dedupe.store';
import { IngestMetrics } from './ingest.metrics';
import { IngestService } from './ingest.service';
import { RecordWriter } from './kafka/record.writer';
import { MqttSubscriber } from './mqtt/mqtt.subscriber';
import { AdminGuard } from './registry/admin.guard';
import { DeviceDirectory } from './registry/device.directory';
import { RegistryController } from './registry/registry.controller';
import { registryStoreProvider } from './registry/registry.provider';

/** apps/ingest: MQTT → validate → Kafka, plus the device registry API. */
@Module({})
export class IngestModule {
  static forRoot(settings?: Settings): DynamicModule {
    return {
      module: IngestModule,
      imports: [VigilConfigModule.forRoot(settings)],
      controllers: [HealthController, SecuredMetricsController, RegistryController],
      providers: [
        KafkaConnection,
        RedisConnection,
        registryStoreProvider,
        DeviceDirectory,
        DedupeStore,
        RecordWriter,
        MqttSubscriber,
        IngestMetrics,
        IngestService,
        AdminGuard,
        {
          provide: HEALTH_INDICATORS,
          inject: [KafkaConnection, RedisConnection, MqttSubscriber, RecordWriter, DeviceDirectory],
          useFactory: (
            kafka: KafkaConnection,
            redis: RedisConnection,
            mqtt: MqttSubscriber,
            writer: RecordWriter,
            directory: DeviceDirectory,
          ) => [kafka, redis, mqtt, writer, mqtt.capacity, directory],
        },
      ],
    };
  }
}
