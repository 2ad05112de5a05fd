import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS } from '@vigil/contracts';
import { type HealthIndicator, type HealthStatus, KafkaConnection, LogProjection } from '@vigil/infra';
import { ScoringService } from './scoring.service';

/**
 * Care teams' per-patient limits (Kafka `patients.limits`, set on the alerts gateway), followed by
 * every scorer instance and applied from the patient's next window: the latest record wins.
 */
@Injectable()
export class PatientLimitsProjection
  implements HealthIndicator, OnApplicationBootstrap, BeforeApplicationShutdown
{
  readonly name = 'patient-limits';
  private readonly log: LogProjection<typeof TOPICS.patientLimits>;

  constructor(kafka: KafkaConnection, scoring: ScoringService) {
    this.log = new LogProjection(kafka, TOPICS.patientLimits, 'vigil-scorer-limits', (change) =>
      scoring.setLimits(change.patientId, change.limits),
    );
  }

  check(): HealthStatus {
    return this.log.check();
  }

  onApplicationBootstrap(): Promise<void> {
    return this.log.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.log.stop();
  }
}
