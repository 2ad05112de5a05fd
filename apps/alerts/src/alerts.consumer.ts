import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { type Context, SpanKind } from '@opentelemetry/api';
import { type Settings } from '@vigil/config';
import { rebuildAlertViews } from '@vigil/alerting';
import { type AlertAudit, type AlertEvent, TOPICS, type WindowScore } from '@vigil/contracts';
import {
  CONFIG,
  ConsumerEdge,
  type EdgeBatch,
  endSpan,
  type HealthIndicator,
  type HealthStatus,
  KafkaConnection,
  type Keyed,
  pseudonym,
  replayLog,
  startSpan,
  traceHeaders,
} from '@vigil/infra';
import { gatewayGroup } from './alerts.constants';
import { AlertService } from './alert.service';
import { AlertStore } from './alert.store';
import { ClinicianGateway } from './clinician.gateway';
import { NoDataWatcher } from './no-data.watcher';
import { PatientHistory } from './patient-history';

type GatewayTopic = typeof TOPICS.alerts | typeof TOPICS.audit | typeof TOPICS.scores;

/**
 * The gateway's consumer (on the one ConsumerEdge: records validated, restarts): alert events, audit
 * records (actions taken on any gateway) and window scores (live vitals). Offsets are committed
 * after the batch is applied (alert and silence changes reach clinicians from the event feed the
 * store writes, ClinicianGateway; live vitals are pushed from here).
 *
 * Redis loss is a non-event: before each batch (and each second) the consumer checks the alert
 * store's `built` sentinel; when it is gone (FLUSHALL, Redis restarted empty) the consumer holds its
 * batches, one gateway rebuilds the open and resolved alerts from `alerts.audit` + `alerts.events`
 * (the others wait for it), and processing resumes: records already in the rebuilt state change
 * nothing (the lifecycle ignores them), later ones (a resolve) are applied and pushed as usual.
 * While Redis is away a batch fails, kafkajs retries it and the edge restarts the consumer; nothing
 * is committed, so nothing is lost.
 */
@Injectable()
export class AlertsConsumer implements HealthIndicator, OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly name = 'kafka-consumer';
  private readonly logger = new Logger(AlertsConsumer.name);
  private readonly edge: ConsumerEdge<GatewayTopic>;
  private rebuilding: Promise<void> | null = null;
  /** Set while the state is being rebuilt (health says so: REST and sockets see a partial view). */
  private rebuildingSince: number | null = null;
  private watch: NodeJS.Timeout | null = null;

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly alerts: AlertService,
    private readonly gateway: ClinicianGateway,
    private readonly store: AlertStore,
    private readonly history: PatientHistory,
    private readonly noData: NoDataWatcher,
    @Inject(CONFIG) private readonly config: Settings,
  ) {
    this.edge = new ConsumerEdge<GatewayTopic>(kafka, {
      name: this.name,
      topics: [TOPICS.alerts, TOPICS.audit, TOPICS.scores],
      group: gatewayGroup(config.alertsInstance),
      fromBeginning: config.newGroupsFrom === 'earliest',
      consumer: {
        // A gateway killed without leaving holds its group until Kafka times its session out; the
        // restarted gateway pushes nothing live until then (kafkajs' default: 30 s). Ten seconds,
        // with a heartbeat at least every second, also while a long batch is applied (below). A
        // rebalance waits at most 20 s for members to rejoin (kafkajs' default: 60 s), which bounds
        // the gap too when the dead member was itself mid-rebalance.
        sessionTimeout: 10_000,
        rebalanceTimeout: 20_000,
        heartbeatInterval: 1_000,
      },
      onBatch: (batch) => this.onBatch(batch),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureAlertState().catch((error: unknown) =>
      this.logger.warn(`alert state not checked at boot (retried before each batch): ${String(error)}`),
    );
    await this.edge.start();
    this.watch = setInterval(() => {
      this.ensureAlertState().catch((error: unknown) =>
        this.logger.debug(`alert state check: ${String(error)}`),
      );
    }, 1000);
    this.watch.unref();
  }

  private async onBatch(batch: EdgeBatch<GatewayTopic>): Promise<void> {
    await this.ensureAlertState();
    const audits: Keyed<AlertAudit>[] = [];
    for (const record of batch.records) {
      if (batch.topic === TOPICS.alerts) {
        const audit = await this.onDetectorEvent(record.value as AlertEvent, record.trace);
        if (audit) audits.push(audit);
      } else if (batch.topic === TOPICS.audit) await this.alerts.onAudit(record.value as AlertAudit);
      else {
        const score = record.value as WindowScore;
        this.history.onScore(score);
        await this.noData.onScore(score.patientId);
        this.gateway.broadcastVitals(score);
      }
      if (batch.topic !== TOPICS.scores) await batch.heartbeat(); // kafkajs sends one at most each heartbeatInterval
    }
    await this.kafka.send(TOPICS.audit, audits);
  }

  /**
   * One alert event: applied (its new version goes to the feed: `vigil.clinician_sockets` counts
   * this gateway's sockets that get it), inside a span that continues the event's
   * trace; the audit record it yields carries that span's traceparent on (the webhook reads it).
   */
  private async onDetectorEvent(event: AlertEvent, trace: Context): Promise<Keyed<AlertAudit> | null> {
    const span = startSpan('alerts deliver', {
      kind: SpanKind.CONSUMER,
      parent: trace,
      attributes: () => ({
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': TOPICS.alerts,
        'vigil.alert.ref': pseudonym(event.alertId),
        'vigil.patient.ref': pseudonym(event.patientId),
        'vigil.alert.state': event.state,
        'vigil.alert.severity': event.severity,
      }),
    });
    try {
      const { audit, pushedTo } = await this.alerts.onDetectorEvent(event);
      span.setAttribute('vigil.alert.pushed', pushedTo !== null);
      span.setAttribute('vigil.clinician_sockets', pushedTo ?? 0);
      if (audit) span.setAttribute('vigil.alert.action', audit.action);
      endSpan(span);
      return audit && { key: audit.patientId, value: audit, headers: traceHeaders(span) };
    } catch (error) {
      endSpan(span, error);
      throw error;
    }
  }

  /** Resolves once Redis holds the alert state; rebuilds it from Kafka first when it is gone. */
  private ensureAlertState(): Promise<void> {
    if (this.rebuilding) return this.rebuilding;
    this.rebuilding = (async () => {
      if (!(await this.store.isBuilt())) await this.rebuildAlertState();
    })().finally(() => (this.rebuilding = null));
    return this.rebuilding;
  }

  private async rebuildAlertState(): Promise<void> {
    const owner = this.config.alertsInstance;
    while (!(await this.store.lockRebuild(owner))) {
      // Another gateway is rebuilding: wait for its result (or for its lock to expire).
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (await this.store.isBuilt()) return;
    }
    const started = Date.now();
    this.rebuildingSince = started;
    try {
      const group = `${gatewayGroup(owner)}-rebuild`;
      const [events, audits] = await Promise.all([
        replayLog(this.kafka, TOPICS.alerts, group),
        replayLog(this.kafka, TOPICS.audit, group),
      ]);
      const views = rebuildAlertViews(events, audits);
      const open = await this.store.restore([...views.values()]);
      await this.store.markBuilt();
      this.logger.log(
        `alert state rebuilt from Kafka in ${Date.now() - started} ms: ${views.size} alert(s), ${open} open (${events.length} events, ${audits.length} audit records)`,
      );
    } finally {
      this.rebuildingSince = null;
      await this.store.unlockRebuild(owner);
    }
  }

  check(): HealthStatus {
    if (this.rebuildingSince !== null)
      return { up: false, detail: `rebuilding alert state from Kafka (Redis was emptied)` };
    return this.edge.check();
  }

  // Before the connections close (onApplicationShutdown): the batch in hand still needs Redis/Kafka.
  async beforeApplicationShutdown(): Promise<void> {
    if (this.watch) clearInterval(this.watch);
    await this.edge.stop();
  }
}
