import { Partitioners } from 'kafkajs';
import { type Settings } from '@vigil/config';
import { type RegistryEvent, TOPICS } from '@vigil/contracts';
import { createKafka, createRedis, ensureTopics, physicalTopic, topicReplication } from '@vigil/infra';
import { RegistryStore } from './registry.store';

export interface OpenRegistry {
  readonly registry: RegistryStore;
  /** Replays Kafka `registry.changes` from the start into a cleared Redis view; returns the events applied. */
  rebuild(): Promise<number>;
  close(): Promise<void>;
}

/**
 * A registry with its own Kafka producer and Redis connection, for the CLI (`vigil devices`),
 * `vigil up` and tests: no ingest app needed. Creates the Vigil topics if missing.
 *
 *   const { registry, close } = await openRegistry(settings);
 *   await registry.enrol('dev-0001', 'pat-0001', { careTeams: ['team-a'] });
 *   await close();
 */
export async function openRegistry(settings: Settings): Promise<OpenRegistry> {
  const kafka = createKafka(settings, 'registry');
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, settings.topicPrefix, topicReplication(settings));
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const redis = createRedis(settings, { maxRetriesPerRequest: 3 });
  const topic = physicalTopic(settings.topicPrefix, TOPICS.registryChanges);
  const registry = new RegistryStore(
    redis,
    {
      append: async (key, event) => {
        await producer.send({ topic, acks: -1, messages: [{ key, value: JSON.stringify(event) }] });
      },
    },
    settings.topicPrefix,
  );

  const rebuild = async (): Promise<number> => {
    const a = kafka.admin();
    await a.connect();
    const offsets = await a.fetchTopicOffsets(topic);
    await a.disconnect();
    const end = Number(offsets[0]?.high ?? '0');
    await registry.clear();
    if (end === 0) return 0;
    const groupId = `${settings.topicPrefix}vigil-registry-rebuild-${process.pid}-${Date.now()}`;
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    await consumer.connect();
    let applied = 0;
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        void consumer
          .run({
            eachMessage: async ({ message }) => {
              if (message.value) {
                await registry.apply(JSON.parse(message.value.toString()) as RegistryEvent);
                applied++;
              }
              if (Number(message.offset) >= end - 1) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
      const a2 = kafka.admin();
      await a2.connect();
      await a2.deleteGroups([groupId]).catch(() => undefined);
      await a2.disconnect();
    }
    return applied;
  };

  return {
    registry,
    rebuild,
    close: async () => {
      await producer.disconnect();
      await redis.quit();
    },
  };
}
