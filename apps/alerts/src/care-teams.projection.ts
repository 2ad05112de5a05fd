import { randomBytes } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { type Admin, type Consumer, type EachBatchPayload, KafkaJSError } from 'kafkajs';
import { type Settings } from '@vigil/config';
import { type RegistryEvent, TOPICS } from '@vigil/contracts';
import { CONFIG, decodeJson, type HealthIndicator, KafkaConnection, offsetAfter } from '@vigil/infra';
import { careTeamGroup } from './alerts.constants';

/**
 * Which care teams each patient belongs to, projected from the registry's change log on Kafka
 * (read from the start at boot, then followed), so clinicians see only their teams' patients.
 *
 * The projection lives in memory and is rebuilt from the beginning of `registry.changes` on every
 * boot. It never commits an offset, so it needs no group state at all; kafkajs still wants a group
 * id, so each process joins a group of its own (instance name + a random suffix). That is the whole
 * fix for a gateway that was killed: a shared, stable group would still hold the dead member until
 * its session timed out, `admin.resetOffsets` refuses to reset a group with members, and the
 * restarted gateway resumed from the old committed offset (the end) with an empty projection, so
 * team clinicians saw nothing. A fresh group has no committed offset and no members, starts at the
 * earliest offset, and is gone from the coordinator once this process leaves or dies (a group
 * without offsets is not retained). An admin-fetched offset plus `seek` would do the same, but
 * kafkajs only seeks after the group assigned partitions, so it needs a group anyway.
 *
 * Healthy only once caught up: it reads the log end at boot and reports up after applying
 * everything up to it, so a gateway never serves clinicians from a half-built projection.
 */
@Injectable()
export class CareTeamsProjection
  implements HealthIndicator, OnApplicationBootstrap, BeforeApplicationShutdown
{
  readonly name = 'care-teams';
  private readonly logger = new Logger(CareTeamsProjection.name);
  private readonly teams = new Map<string, readonly string[]>();
  private readonly consumer: Consumer;
  private readonly groupId: string;
  /** Offset (per partition) the projection must reach to be caught up; emptied as each is reached. */
  private readonly pending = new Map<number, bigint>();
  private caughtUp = false;

  constructor(
    private readonly kafka: KafkaConnection,
    @Inject(CONFIG) config: Settings,
  ) {
    this.groupId = kafka.group(`${careTeamGroup(config.alertsInstance)}-${randomBytes(4).toString('hex')}`);
    this.consumer = kafka.kafka.consumer({ groupId: this.groupId });
  }

  teamsOf(patientId: string): readonly string[] {
    return this.teams.get(patientId) ?? [];
  }

  apply(event: RegistryEvent): void {
    if (event.type === 'patient.care-teams') this.teams.set(event.patientId, event.careTeams);
  }

  check(): boolean {
    return this.caughtUp;
  }

  // After every module's init: the Kafka edge has created the topics by then.
  async onApplicationBootstrap(): Promise<void> {
    const topic = this.kafka.topic(TOPICS.registryChanges);
    const admin = this.kafka.kafka.admin();
    await admin.connect();
    try {
      for (const p of await logEnd(admin, topic)) {
        if (BigInt(p.high) > BigInt(p.low)) this.pending.set(p.partition, BigInt(p.high));
      }
    } finally {
      await admin.disconnect();
    }
    await this.consumer.connect();
    await this.consumer.subscribe({ topic, fromBeginning: true });
    // An empty log: caught up as soon as the (private) group assigned the partition.
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.markIfCaughtUp());
    await this.consumer.run({
      autoCommit: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  private onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    for (const { value } of decodeJson<RegistryEvent>(
      batch.messages,
      `${batch.topic}[${batch.partition}]`,
      this.logger,
    ))
      this.apply(value);
    if (batch.messages.length > 0) payload.resolveOffset(batch.lastOffset());
    const target = this.pending.get(batch.partition);
    if (target !== undefined && BigInt(offsetAfter(batch)) >= target) this.pending.delete(batch.partition);
    this.markIfCaughtUp();
    return payload.heartbeat();
  }

  private markIfCaughtUp(): void {
    if (this.caughtUp || this.pending.size > 0) return;
    this.caughtUp = true;
    this.logger.log(`care teams of ${this.teams.size} patients loaded from the registry log`);
  }

  // Before the connections close (onApplicationShutdown): the batch in hand still needs Redis/Kafka.
  async beforeApplicationShutdown(): Promise<void> {
    this.caughtUp = false;
    await this.consumer.disconnect();
  }
}

/**
 * The topic's low and high offsets per partition. Right after the topic was created the broker may
 * answer "not the leader" for a moment; retriable errors are retried (for at most about 10 s).
 */
async function logEnd(admin: Admin, topic: string): ReturnType<Admin['fetchTopicOffsets']> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      if (attempt >= 20 || !(error instanceof KafkaJSError) || !error.retriable) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * attempt)));
    }
  }
}
