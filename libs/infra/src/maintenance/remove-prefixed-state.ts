import { Kafka, logLevel } from 'kafkajs';
import { type Settings } from '@vigil/config';
import { kafkaSecurity, type KafkaSecuritySettings } from '../kafka/kafka-client';
import { createRedis, type RedisSettings } from '../redis/redis-options';

/**
 * Deletes everything stored under a VIGIL_TOPIC_PREFIX: its Kafka topics and consumer groups and
 * its Redis keys. For tests and benchmarks, which each run under a prefix of their own; refuses the
 * empty prefix, which would be the production data.
 */
export async function removePrefixedState(
  settings: Pick<Settings, 'topicPrefix' | 'kafkaBrokers'> & RedisSettings & KafkaSecuritySettings,
): Promise<void> {
  const prefix = settings.topicPrefix;
  if (prefix === '') throw new Error('refusing to remove state without a VIGIL_TOPIC_PREFIX');
  const redis = createRedis(settings);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    await redis.quit();
  }
  const admin = new Kafka({
    clientId: 'vigil-cleanup',
    brokers: [...settings.kafkaBrokers],
    ...kafkaSecurity(settings),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(prefix));
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined); // a group still closing is gone soon anyway
  } finally {
    await admin.disconnect();
  }
}
