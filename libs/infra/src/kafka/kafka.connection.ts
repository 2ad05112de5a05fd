import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Admin, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import { type Settings } from '@vigil/config';
import { type TopicName, type TopicPayloads } from '@vigil/contracts';
import { CachedProbe } from '../health/cached-probe';
import { type HealthIndicator, type HealthStatus } from '../health/health';
import { CONFIG } from '../nest/config.module';
import { Coalescer } from './coalescer';
import { createKafka, ensureTopics, topicReplication } from './kafka-client';
import { CachedKeyPartitioner } from './key-partitioner';
import { consumerGroup, physicalTopic } from './topic-names';

export interface Keyed<T> {
  readonly key: string;
  readonly value: T;
  readonly headers?: Record<string, string>;
}

/** What one request carries at most, merged from several sends (Kafka refuses record batches over 1 MB). */
export const MAX_REQUEST_BYTES = 512 * 1024;

/**
 * An app's Kafka edge: makes sure the topics exist at boot, owns the one idempotent producer, and
 * creates consumers. Everything Kafka-shaped goes through here; services see typed topics only.
 *
 * The idempotent producer has one request in flight; sends made meanwhile are merged into the next
 * request (a Coalescer), so callers on different partitions share a round trip instead of queueing
 * for one each. A caller's promise settles with the request that carried its records.
 */
@Injectable()
export class KafkaConnection implements HealthIndicator, OnModuleInit, OnApplicationShutdown {
  readonly name = 'kafka';
  readonly kafka: Kafka;
  private readonly producer: Producer;
  private connected = false;
  private readonly logger = new Logger(KafkaConnection.name);
  /** Kept connected for health: a metadata request tells whether the cluster answers now. */
  private readonly admin: Admin;
  private readonly probe: CachedProbe;
  private readonly requests = new Coalescer<TopicMessages[]>(async (sends) => {
    await this.producer.sendBatch({ acks: -1, topicMessages: mergeByTopic(sends) });
  }, MAX_REQUEST_BYTES);

  constructor(@Inject(CONFIG) private readonly config: Settings) {
    this.kafka = createKafka(config, 'app');
    // Idempotent: a retried batch is written once, in order, per partition.
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: CachedKeyPartitioner, // murmur2, as the Java client: same key, same partition
    });
    this.admin = this.kafka.admin();
    this.probe = new CachedProbe(
      async () => {
        const { brokers } = await this.admin.describeCluster();
        return { up: true, detail: `${brokers.length} broker(s)` };
      },
      1000,
      config.healthCheckTimeoutMs,
    );
  }

  async onModuleInit(): Promise<void> {
    await this.admin.connect();
    const created = await ensureTopics(this.admin, this.config.topicPrefix, topicReplication(this.config));
    if (created.length > 0) this.logger.log(`created topics ${created.join(', ')}`);
    await this.producer.connect();
    this.connected = true;
  }

  topic(name: TopicName): string {
    return physicalTopic(this.config.topicPrefix, name);
  }

  group(name: string): string {
    return consumerGroup(this.config.topicPrefix, name);
  }

  /** Resolves once the broker acknowledged every record (acks = all). */
  send<T extends TopicName>(topic: T, records: readonly Keyed<TopicPayloads[T]>[]): Promise<void> {
    return this.sendMany([{ topic, records }]);
  }

  /** Several topics in one request, acknowledged together. */
  sendMany(batches: readonly { topic: TopicName; records: readonly Keyed<unknown>[] }[]): Promise<void> {
    let bytes = 0;
    const topicMessages = batches
      .filter((b) => b.records.length > 0)
      .map((b) => {
        const messages = b.records.map(toMessage);
        for (const m of messages) bytes += (m.value as string).length;
        return { topic: this.topic(b.topic), messages };
      });
    return topicMessages.length > 0 ? this.requests.submit(topicMessages, bytes) : Promise.resolve();
  }

  /** Up when the cluster answers a metadata request now (not merely: was connected once). */
  check(): Promise<HealthStatus> | HealthStatus {
    if (!this.connected) return { up: false, detail: 'not connected' };
    return this.probe.run().then((s) => (s.up ? s : { up: false, detail: `unreachable: ${s.detail ?? ''}` }));
  }

  /** The admin client this connection keeps open (topic offsets, consumer group offsets). */
  get adminClient(): Admin {
    return this.admin;
  }

  async onApplicationShutdown(): Promise<void> {
    this.connected = false;
    await this.requests.idle(); // what was sent before the shutdown still gets its answer
    await this.producer.disconnect();
    await this.admin.disconnect();
  }
}

/** Several sends as one request's topics, each topic's messages in the order they were sent. */
function mergeByTopic(sends: readonly TopicMessages[][]): TopicMessages[] {
  if (sends.length === 1) return sends[0];
  const byTopic = new Map<string, Message[]>();
  for (const send of sends)
    for (const { topic, messages } of send) {
      const merged = byTopic.get(topic);
      if (merged) merged.push(...messages);
      else byTopic.set(topic, [...messages]);
    }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function toMessage(record: Keyed<unknown>): Message {
  return { key: record.key, value: JSON.stringify(record.value), headers: record.headers };
}
