import { type TopicName, type TopicPayloads } from '@vigil/contracts';
import { type KafkaConnection } from './kafka.connection';
import { LogProjection } from './log-projection';

/**
 * Every valid record of a topic from the beginning (or from those written `since`, epoch ms) up to
 * its end when called, in partition order (a private group, nothing committed). For rebuilding
 * derived state (Redis) from the log of record.
 */
export async function replayLog<T extends TopicName>(
  kafka: KafkaConnection,
  topic: T,
  group: string,
  timeoutMs = 120_000,
  since?: number,
): Promise<TopicPayloads[T][]> {
  const records: TopicPayloads[T][] = [];
  const projection = new LogProjection(kafka, topic, group, (r) => records.push(r), since);
  const deadline = Date.now() + timeoutMs;
  try {
    await projection.start();
    while (!projection.check().up) {
      if (Date.now() > deadline)
        throw new Error(`replay of ${topic} did not reach the log's end in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return records.slice(); // stop() may still deliver the batch in hand
  } finally {
    await projection.stop();
  }
}
