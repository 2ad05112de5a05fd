import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { type Settings } from '@vigil/config';
import { type RegistryEvent, TOPICS } from '@vigil/contracts';
import {
  CONFIG,
  type HealthIndicator,
  type HealthStatus,
  KafkaConnection,
  LogProjection,
} from '@vigil/infra';
import { careTeamGroup } from './alerts.constants';

/**
 * Which care teams each patient belongs to, projected from the registry's change log on Kafka
 * (read from the start at every boot under a group of this process's own, then followed; see
 * LogProjection for why a restarted gateway must not share a group with its dead predecessor), so
 * clinicians see only their teams' patients. Healthy once caught up: a gateway never serves
 * clinicians from a half-built projection.
 */
@Injectable()
export class CareTeamsProjection
  implements HealthIndicator, OnApplicationBootstrap, BeforeApplicationShutdown
{
  readonly name = 'care-teams';
  private readonly teams = new Map<string, readonly string[]>();
  private readonly log: LogProjection<typeof TOPICS.registryChanges>;

  constructor(kafka: KafkaConnection, @Inject(CONFIG) config: Settings) {
    this.log = new LogProjection(kafka, TOPICS.registryChanges, careTeamGroup(config.alertsInstance), (e) =>
      this.apply(e),
    );
  }

  teamsOf(patientId: string): readonly string[] {
    return this.teams.get(patientId) ?? [];
  }

  apply(event: RegistryEvent): void {
    if (event.type === 'patient.care-teams') this.teams.set(event.patientId, event.careTeams);
  }

  check(): HealthStatus {
    return this.log.check();
  }

  // After every module's init: the Kafka edge has created the topics by then.
  onApplicationBootstrap(): Promise<void> {
    return this.log.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.log.stop();
  }
}
