import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { type Consumer } from 'kafkajs';
import { type Settings } from '@vigil/config';
import { type RegistryEvent, TOPICS } from '@vigil/contracts';
import { CONFIG, decodeJson, KafkaConnection } from '@vigil/infra';
import { careTeamGroup } from './alerts.constants';

/**
 * Which care teams each patient belongs to, projected from the registry's change log on Kafka
 * (read from the start at boot, then followed), so clinicians see only their teams' patients.
 */
@Injectable()
export class CareTeamsProjection implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CareTeamsProjection.name);
  private readonly teams = new Map<string, readonly string[]>();
  private readonly consumer: Consumer;
  private readonly groupId: string;

  constructor(
    private readonly kafka: KafkaConnection,
    @Inject(CONFIG) config: Settings,
  ) {
    this.groupId = kafka.group(careTeamGroup(config.alertsInstance));
    this.consumer = kafka.kafka.consumer({ groupId: this.groupId });
  }

  teamsOf(patientId: string): readonly string[] {
    return this.teams.get(patientId) ?? [];
  }

  apply(event: RegistryEvent): void {
    if (event.type === 'patient.care-teams') this.teams.set(event.patientId, event.careTeams);
  }

  // After every module's init: the Kafka edge has created the topics by then.
  async onApplicationBootstrap(): Promise<void> {
    // Start from the beginning of the log on every boot: the projection lives in memory only.
    const admin = this.kafka.kafka.admin();
    await admin.connect();
    await admin
      .resetOffsets({
        groupId: this.groupId,
        topic: this.kafka.topic(TOPICS.registryChanges),
        earliest: true,
      })
      .catch(() => undefined) // a new group has nothing to reset
      .finally(() => admin.disconnect());
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.kafka.topic(TOPICS.registryChanges), fromBeginning: true });
    await this.consumer.run({
      eachMessage: ({ topic, partition, message }) => {
        for (const { value } of decodeJson<RegistryEvent>([message], `${topic}[${partition}]`, this.logger))
          this.apply(value);
        return Promise.resolve();
      },
    });
  }

  // Before the connections close (onApplicationShutdown): the batch in hand still needs Redis/Kafka.
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect();
  }
}
