import { Logger } from '@nestjs/common';
import { type Admin, Kafka, type KafkaConfig, logLevel, type LogEntry } from 'kafkajs';
import { type Settings } from '@vigil/config';
import { readPemFile } from '../tls/pem-file';
import { topicSpecs } from './topic-names';

export type KafkaSecuritySettings = Pick<
  Settings,
  | 'kafkaTls'
  | 'kafkaTlsCaFile'
  | 'kafkaTlsCertFile'
  | 'kafkaTlsKeyFile'
  | 'kafkaSaslMechanism'
  | 'kafkaSaslUsername'
  | 'kafkaSaslPassword'
>;

/**
 * TLS and SASL of every Kafka client Vigil makes (apps, registry, CLI), from the settings. The
 * combinations were checked by the config loader; PEM files are read here, once per client.
 */
export function kafkaSecurity(
  config: KafkaSecuritySettings,
  readPem: typeof readPemFile = readPemFile,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  let ssl: KafkaConfig['ssl'];
  if (config.kafkaTls) {
    const ca = config.kafkaTlsCaFile && readPem('kafkaTlsCaFile', config.kafkaTlsCaFile);
    const cert = config.kafkaTlsCertFile && readPem('kafkaTlsCertFile', config.kafkaTlsCertFile);
    const key = config.kafkaTlsKeyFile && readPem('kafkaTlsKeyFile', config.kafkaTlsKeyFile);
    ssl =
      ca || cert || key
        ? {
            rejectUnauthorized: true,
            ...(ca ? { ca: [ca] } : {}),
            ...(cert ? { cert } : {}),
            ...(key ? { key } : {}),
          }
        : true;
  }
  const credentials = { username: config.kafkaSaslUsername ?? '', password: config.kafkaSaslPassword ?? '' };
  let sasl: KafkaConfig['sasl'];
  switch (config.kafkaSaslMechanism) {
    case 'none':
      break;
    case 'plain':
      sasl = { mechanism: 'plain', ...credentials };
      break;
    case 'scram-sha-256':
      sasl = { mechanism: 'scram-sha-256', ...credentials };
      break;
    case 'scram-sha-512':
      sasl = { mechanism: 'scram-sha-512', ...credentials };
      break;
  }
  return { ...(ssl === undefined ? {} : { ssl }), ...(sasl === undefined ? {} : { sasl }) };
}

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
  config: Pick<Settings, 'kafkaBrokers' | 'kafkaClientId' | 'logLevel'> & KafkaSecuritySettings,
  role: string,
): Kafka {
  return new Kafka({
    clientId: `${config.kafkaClientId}-${role}`,
    brokers: [...config.kafkaBrokers],
    ...kafkaSecurity(config),
    logLevel: logLevel.WARN,
    logCreator: () => logCreator(config.logLevel === 'debug' || config.logLevel === 'verbose'),
    // Back-off capped at 5 s (kafkajs: 30 s): after an outage, requests resume within seconds of
    // Kafka's return (measured with the 30 s cap: ingest wrote again ~20 s after Kafka was back).
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5000 },
  });
}

/** How the topics Vigil creates are replicated (VIGIL_KAFKA_REPLICATION_FACTOR, _MIN_INSYNC_REPLICAS). */
export interface TopicReplication {
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
}

export const SINGLE_NODE: TopicReplication = { replicationFactor: 1, minInsyncReplicas: 1 };

export function topicReplication(
  config: Pick<Settings, 'kafkaReplicationFactor' | 'kafkaMinInsyncReplicas'>,
): TopicReplication {
  return {
    replicationFactor: config.kafkaReplicationFactor,
    minInsyncReplicas: config.kafkaMinInsyncReplicas,
  };
}

/** The createTopics request for the Vigil topics that are missing. */
export function topicsToCreate(
  prefix: string,
  existing: ReadonlySet<string>,
  replication: TopicReplication,
): {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  configEntries: { name: string; value: string }[];
}[] {
  return topicSpecs(prefix)
    .filter((t) => !existing.has(t.physicalName))
    .map((t) => ({
      topic: t.physicalName,
      numPartitions: t.partitions,
      replicationFactor: replication.replicationFactor,
      configEntries: Object.entries({
        ...t.config,
        'min.insync.replicas': String(replication.minInsyncReplicas),
      }).map(([name, value]) => ({ name, value })),
    }));
}

/**
 * Creates the Vigil topics that are missing, with their partition counts and replication, and waits
 * for leaders (kafkajs on KRaft fails to subscribe to a topic that does not exist yet). Existing
 * topics are left as they are (partitions and replicas of a live topic are an operator's change).
 */
export async function ensureTopics(
  admin: Admin,
  prefix: string,
  replication: TopicReplication = SINGLE_NODE,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topicsToCreate(prefix, existing, replication);
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({ waitForLeaders: true, topics: missing });
  } catch (error) {
    // Another instance may have created them between list and create; that is fine.
    const now = new Set(await admin.listTopics());
    if (missing.some((t) => !now.has(t.topic))) throw error;
  }
  return missing.map((t) => t.topic);
}
