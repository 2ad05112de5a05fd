import { Logger } from '@nestjs/common';
import { type Admin, Kafka, logLevel, type LogEntry } from 'kafkajs';
import { type Settings } from '@vigil/config';
import { topicSpecs } from './topic-names';

/**
 * kafkajs logs through Nest's logger, so every line has the same shape (json or text). Two kinds of
 * its lines are demoted to debug: a connection's error responses (retriable ones, e.g. "not the
 * leader" right after a topic is created, are retried by the caller, which reports a real failure),
 * and the idempotent producer's note on bounded retries (bounded on purpose: a send that keeps
 * failing must fail, so ingest withholds the device's acknowledgement instead of hanging).
 */
function logCreator(showDemoted: boolean) {
  return ({ namespace, level, log }: LogEntry) => {
    const logger = new Logger(`kafkajs:${namespace}`);
    const { message, ...extra } = log;
    const line = Object.keys(extra).length > 1 ? `${message} ${JSON.stringify(extra)}` : message;
    const demoted =
      namespace === 'Connection' || message.startsWith('Limiting retries for the idempotent producer');
    if (demoted) {
      if (showDemoted) logger.debug(line);
    } else if (level === logLevel.ERROR) logger.error(line);
    else if (level === logLevel.WARN) logger.warn(line);
    else if (level === logLevel.INFO) logger.log(line);
    else logger.debug(line);
  };
}

export function createKafka(
  config: Pick<Settings, 'kafkaBrokers' | 'kafkaClientId' | 'logLevel'>,
  role: string,
): Kafka {
  return new Kafka({
    clientId: `${config.kafkaClientId}-${role}`,
    brokers: [...config.kafkaBrokers],
    logLevel: logLevel.WARN,
    logCreator: () => logCreator(config.logLevel === 'debug' || config.logLevel === 'verbose'),
    // Back-off capped at 5 s (kafkajs: 30 s): after an outage, requests resume within seconds of
    // Kafka's return (measured with the 30 s cap: ingest wrote again ~20 s after Kafka was back).
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5000 },
  });
}

/**
 * Creates the Vigil topics that are missing, with their partition counts, and waits for leaders
 * (kafkajs on KRaft fails to subscribe to a topic that does not exist yet).
 */
export async function ensureTopics(admin: Admin, prefix: string): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topicSpecs(prefix).filter((t) => !existing.has(t.physicalName));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({
        topic: t.physicalName,
        numPartitions: t.partitions,
        replicationFactor: 1,
        configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
  } catch (error) {
    // Another instance may have created them between list and create; that is fine.
    const now = new Set(await admin.listTopics());
    if (missing.some((t) => !now.has(t.physicalName))) throw error;
  }
  return missing.map((t) => t.physicalName);
}
