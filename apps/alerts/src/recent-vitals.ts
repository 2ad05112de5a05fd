import { randomBytes } from 'node:crypto';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Consumer } from 'kafkajs';
import { type Settings } from '@vigil/config';
import { TOPICS, type WindowScore } from '@vigil/contracts';
import { CONFIG, decodeJson, type HealthIndicator, KafkaConnection } from '@vigil/infra';
import { recentVitalsGroup } from './alerts.constants';

/** Windows kept per patient: 120 × the 5 s stride = the last 10 minutes. */
const PER_PATIENT = 120;
/** Patients kept (the ones heard from least recently are dropped first). */
const PATIENTS = 20_000;

/**
 * The last windows of each patient (from Kafka `vitals.scores`), for `GET /fhir/Observation`. A
 * group of this process's own, from the live end, nothing committed: a restarted gateway serves
 * what arrived since (a window per patient each stride); Kafka, not this, is the record. Bounded.
 */
@Injectable()
export class RecentVitals implements HealthIndicator, OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly name = 'recent-vitals';
  private readonly logger = new Logger(RecentVitals.name);
  private readonly windows = new Map<string, WindowScore[]>();
  private readonly consumer: Consumer;
  private running = false;

  constructor(
    private readonly kafka: KafkaConnection,
    @Inject(CONFIG) private readonly config: Settings,
  ) {
    this.consumer = kafka.kafka.consumer({
      groupId: kafka.group(`${recentVitalsGroup(config.alertsInstance)}-${randomBytes(4).toString('hex')}`),
    });
  }

  /** The patient's windows, newest first. */
  of(patientId: string): readonly WindowScore[] {
    return [...(this.windows.get(patientId) ?? [])].reverse();
  }

  add(score: WindowScore): void {
    const list = this.windows.get(score.patientId) ?? [];
    this.windows.delete(score.patientId); // re-insert: the Map's order is least recently heard first
    list.push(score);
    if (list.length > PER_PATIENT) list.splice(0, list.length - PER_PATIENT);
    this.windows.set(score.patientId, list);
    if (this.windows.size > PATIENTS) this.windows.delete(this.windows.keys().next().value as string);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [this.kafka.topic(TOPICS.scores)],
      fromBeginning: this.config.newGroupsFrom === 'earliest',
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.running = true));
    await this.consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        for (const { value } of decodeJson<WindowScore>(batch.messages, batch.topic, this.logger))
          this.add(value);
        return Promise.resolve();
      },
    });
  }

  check(): boolean {
    return this.running;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
  }
}
