import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { type Consumer, type EachBatchPayload } from 'kafkajs';
import { type Settings } from '@vigil/config';
import { type AlertAudit, type AlertEvent, type TopicName, TOPICS, type WindowScore } from '@vigil/contracts';
import { CONFIG, decodeJson, type HealthIndicator, KafkaConnection, offsetAfter } from '@vigil/infra';
import { gatewayGroup } from './alerts.constants';
import { AlertService } from './alert.service';
import { ClinicianGateway } from './clinician.gateway';
import { NoDataWatcher } from './no-data.watcher';
import { PatientHistory } from './patient-history';

/**
 * Kafka edge of the gateway: alert events, audit records (actions taken on any gateway) and window
 * scores (live vitals). Offsets are committed after the batch is applied and pushed.
 */
@Injectable()
export class AlertsConsumer implements HealthIndicator, OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly name = 'kafka-consumer';
  private readonly logger = new Logger(AlertsConsumer.name);
  private readonly consumer: Consumer;
  private running = false;

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly alerts: AlertService,
    private readonly gateway: ClinicianGateway,
    private readonly history: PatientHistory,
    private readonly noData: NoDataWatcher,
    @Inject(CONFIG) private readonly config: Settings,
  ) {
    this.consumer = kafka.kafka.consumer({
      groupId: kafka.group(gatewayGroup(config.alertsInstance)),
      // A gateway killed without leaving holds its group until Kafka times its session out; the
      // restarted gateway pushes nothing live until then (kafkajs' default: 30 s). Ten seconds,
      // with a heartbeat at least every second, also while a long batch is applied (below). A
      // rebalance waits at most 20 s for members to rejoin (kafkajs' default: 60 s), which bounds
      // the gap too when the dead member was itself mid-rebalance.
      sessionTimeout: 10_000,
      rebalanceTimeout: 20_000,
      heartbeatInterval: 1_000,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.connect();
    const topics = [TOPICS.alerts, TOPICS.audit, TOPICS.scores].map((t) => this.kafka.topic(t));
    await this.consumer.subscribe({ topics, fromBeginning: this.config.newGroupsFrom === 'earliest' });
    // Ready (health up) once the group has given this gateway its partitions.
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.running = true));
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (p) => this.onBatch(p),
    });
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const topic = this.logical(batch.topic);
    const audits: AlertAudit[] = [];
    for (const { value } of decodeJson<unknown>(
      batch.messages,
      `${batch.topic}[${batch.partition}]`,
      this.logger,
    )) {
      if (topic === TOPICS.alerts) {
        const audit = await this.alerts.onDetectorEvent(value as AlertEvent);
        if (audit) audits.push(audit);
      } else if (topic === TOPICS.audit) await this.alerts.onAudit(value as AlertAudit);
      else {
        const score = value as WindowScore;
        this.history.onScore(score);
        await this.noData.onScore(score.patientId);
        this.gateway.broadcastVitals(score);
      }
      if (topic !== TOPICS.scores) await payload.heartbeat(); // kafkajs sends one at most each heartbeatInterval
    }
    await this.kafka.send(
      TOPICS.audit,
      audits.map((a) => ({ key: a.patientId, value: a })),
    );
    payload.resolveOffset(batch.lastOffset()); // kafkajs fetches on from resolved offsets
    await this.consumer.commitOffsets([
      {
        topic: batch.topic,
        partition: batch.partition,
        offset: offsetAfter(batch),
      },
    ]);
    await payload.heartbeat();
  }

  private logical(physical: string): TopicName {
    for (const t of [TOPICS.alerts, TOPICS.audit, TOPICS.scores])
      if (this.kafka.topic(t) === physical) return t;
    throw new Error(`unexpected topic ${physical}`);
  }

  check(): boolean {
    return this.running;
  }

  // Before the connections close (onApplicationShutdown): the batch in hand still needs Redis/Kafka.
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
  }
}
