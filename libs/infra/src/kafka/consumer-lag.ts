import { type OnApplicationShutdown } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { type TopicName } from '@vigil/contracts';
import { CachedProbe } from '../health/cached-probe';
import { type HealthIndicator, type HealthStatus } from '../health/health';
import { type KafkaConnection } from './kafka.connection';

export interface PartitionEnd {
  readonly partition: number;
  /** The next offset to be written (kafkajs `high`). */
  readonly high: string;
}
export interface CommittedOffset {
  readonly partition: number;
  /** The next offset the group will read; "-1" when the group never committed on this partition. */
  readonly offset: string;
}

/**
 * Pure: how many records a group is behind on a topic: the sum over partitions of (end − committed).
 * A partition the group never committed on counts 0 and is reported apart (where such a group starts
 * is VIGIL_NEW_GROUPS_FROM's business, not lag).
 */
export function consumerLag(
  ends: readonly PartitionEnd[],
  committed: readonly CommittedOffset[],
): { readonly total: number; readonly uncommitted: number } {
  const byPartition = new Map(committed.map((c) => [c.partition, BigInt(c.offset)]));
  let total = 0n;
  let uncommitted = 0;
  for (const end of ends) {
    const at = byPartition.get(end.partition) ?? -1n;
    if (at < 0n) uncommitted++;
    else if (BigInt(end.high) > at) total += BigInt(end.high) - at;
  }
  return { total: Number(total), uncommitted };
}

const monitors = new Set<ConsumerLagIndicator>();
const lagGauge =
  (register.getSingleMetric('vigil_consumer_lag') as Gauge<'group' | 'topic'> | undefined) ??
  new Gauge({
    name: 'vigil_consumer_lag',
    help: 'Records a consumer group is behind on a topic (end offsets minus committed offsets)',
    labelNames: ['group', 'topic'] as const,
    async collect() {
      await Promise.all([...monitors].map((m) => m.check()));
    },
  });

/**
 * Readiness and a metric for one consumer group on one topic: down when the group is more than
 * VIGIL_HEALTH_MAX_CONSUMER_LAG records behind (a clinician would see alerts late), or when the
 * offsets cannot be read. Queried at most every 2 s.
 */
export class ConsumerLagIndicator implements HealthIndicator, OnApplicationShutdown {
  readonly name = 'consumer-lag';
  private readonly probe: CachedProbe;

  constructor(kafka: KafkaConnection, group: string, topic: TopicName, maxLag: number, timeoutMs: number) {
    const groupId = kafka.group(group);
    const physical = kafka.topic(topic);
    this.probe = new CachedProbe(
      async () => {
        const admin = kafka.adminClient;
        const [ends, offsets] = await Promise.all([
          admin.fetchTopicOffsets(physical),
          admin.fetchOffsets({ groupId, topics: [physical] }),
        ]);
        const lag = consumerLag(ends, offsets.find((t) => t.topic === physical)?.partitions ?? []);
        lagGauge.set({ group: groupId, topic: physical }, lag.total);
        const detail = `${lag.total} record(s) behind on ${physical} (at most ${maxLag})${lag.uncommitted > 0 ? `; ${lag.uncommitted} partition(s) not committed yet` : ''}`;
        return { up: lag.total <= maxLag, detail };
      },
      2000,
      timeoutMs,
    );
    monitors.add(this);
  }

  check(): Promise<HealthStatus> {
    return this.probe.run();
  }

  /** Stops reporting when the app closes (provide it as a Nest provider to have this called). */
  onApplicationShutdown(): void {
    monitors.delete(this);
  }
}
