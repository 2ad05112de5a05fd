import { type Provider } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import { TOPICS } from '@vigil/contracts';
import { CONFIG, KafkaConnection, RedisConnection } from '@vigil/infra';
import { RegistryStore } from '@vigil/registry';

/** The registry store of this app: Kafka `registry.changes` is its record, Redis its view. */
export const registryStoreProvider: Provider = {
  provide: RegistryStore,
  inject: [RedisConnection, KafkaConnection, CONFIG],
  useFactory: (redis: RedisConnection, kafka: KafkaConnection, config: Settings) =>
    new RegistryStore(
      redis.client,
      { append: (key, event) => kafka.send(TOPICS.registryChanges, [{ key, value: event }]) },
      config.topicPrefix,
    ),
};
