import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Context, type Span, SpanKind } from '@opentelemetry/api';
import { Counter } from 'prom-client';
import { type Settings } from '@vigil/config';
import { type AlertAudit, TOPICS } from '@vigil/contracts';
import {
  buildNotification,
  delivered,
  retryDelayMs,
  WEBHOOK_HEADERS,
  type WebhookNotification,
  webhookSignature,
} from '@vigil/alerting';
import {
  type BatchOutcome,
  CONFIG,
  ConsumerEdge,
  type EdgeBatch,
  endSpan,
  type HealthIndicator,
  type HealthStatus,
  KafkaConnection,
  pseudonym,
  RedisConnection,
  startSpan,
  traceHeaders,
} from '@vigil/infra';
import { webhookGroup } from './alerts.constants';
import { AlertStore } from './alert.store';
import { WebhookSender } from './webhook.sender';

const deliveries = new Counter({
  name: 'vigil_webhook_deliveries_total',
  help: 'Webhook notifications by outcome (delivered, retried, dead-lettered, duplicate skipped)',
  labelNames: ['outcome'],
});

/**
 * Out to the hospital: new high alerts and escalations POSTed to VIGIL_WEBHOOK_URL, signed
 * (HMAC-SHA256 over timestamp + body), with an idempotency key. Reads `alerts.audit` in ONE consumer
 * group shared by every gateway, so each record is sent by exactly one gateway; offsets are
 * committed after a record was delivered or dead-lettered, so a gateway restart (or its death)
 * hands the rest to the next owner of the partition. A Redis marker per key, written right after
 * the receiver's 2xx, keeps a re-read record from being sent again. Failures are retried with
 * doubling back-off (the partition waits: order is kept) and after VIGIL_WEBHOOK_MAX_ATTEMPTS go to
 * `alerts.webhook.deadletter` with the body and the reason, loudly in the log.
 */
@Injectable()
export class WebhookDispatcher implements HealthIndicator, OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly name = 'webhook';
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly edge: ConsumerEdge<typeof TOPICS.audit>;
  private readonly stopping = new AbortController();
  private readonly markerPrefix: string;

  constructor(
    @Inject(CONFIG) private readonly config: Settings,
    private readonly kafka: KafkaConnection,
    private readonly redis: RedisConnection,
    private readonly store: AlertStore,
    private readonly sender: WebhookSender,
  ) {
    this.markerPrefix = `${config.topicPrefix}vigil:webhook:sent:`;
    this.edge = new ConsumerEdge(kafka, {
      name: 'webhook',
      topics: [TOPICS.audit],
      group: webhookGroup,
      fromBeginning: config.newGroupsFrom === 'earliest',
      // As the gateway's own consumer: a killed gateway's share moves on within seconds.
      consumer: { sessionTimeout: 10_000, rebalanceTimeout: 20_000, heartbeatInterval: 1_000 },
      onBatch: (batch) => this.onBatch(batch),
    });
  }

  get enabled(): boolean {
    return this.config.webhookUrl !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.enabled) await this.edge.start();
  }

  /** Up when disabled, or once the group gave this gateway its share. */
  check(): boolean | HealthStatus {
    return !this.enabled || this.edge.check();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.edge.stop();
  }

  /**
   * Record by record, in order. Interrupted (shutdown mid-retry): fetch again from the unsettled
   * record, commit nothing — the next owner re-reads the batch and the Redis markers skip what was sent.
   */
  private async onBatch(batch: EdgeBatch<typeof TOPICS.audit>): Promise<BatchOutcome> {
    for (const { offset, value, trace } of batch.records) {
      if (this.stopping.signal.aborted) return { seek: offset };
      if (!(await this.handle(value, trace, () => batch.heartbeat()))) return { seek: offset };
      await batch.heartbeat();
    }
    return 'commit';
  }

  /** True once the record is settled (sent, skipped, or dead-lettered); false when interrupted by shutdown. */
  private async handle(audit: AlertAudit, trace: Context, heartbeat: () => Promise<void>): Promise<boolean> {
    const notification = buildNotification(audit, await this.store.get(audit.alertId));
    if (notification === null) return true;
    const marker = `${this.markerPrefix}${notification.id}`;
    if ((await this.redis.client.exists(marker)) === 1) {
      deliveries.inc({ outcome: 'duplicate' });
      return true;
    }
    // The delivery (every attempt, and a dead letter) continues the trace of the alert's audit record.
    const span = startSpan('webhook deliver', {
      kind: SpanKind.CLIENT,
      parent: trace,
      attributes: () => ({
        'http.request.method': 'POST',
        'server.address': new URL(this.config.webhookUrl as string).hostname,
        'vigil.webhook.type': notification.type,
        'vigil.alert.ref': pseudonym(notification.alert.alertId),
        'vigil.patient.ref': pseudonym(notification.alert.patientId),
      }),
    });
    try {
      const settled = await this.deliver(notification, marker, span, heartbeat);
      if (!settled) span.setAttribute('vigil.webhook.outcome', 'interrupted');
      endSpan(span);
      return settled;
    } catch (error) {
      endSpan(span, error);
      throw error;
    }
  }

  private async deliver(
    notification: WebhookNotification,
    marker: string,
    span: Span,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    const url = this.config.webhookUrl as string;
    const body = JSON.stringify(notification);
    let lastError = '';
    for (let attempt = 1; attempt <= this.config.webhookMaxAttempts; attempt++) {
      if (attempt > 1) {
        deliveries.inc({ outcome: 'retried' });
        const waited = await this.wait(retryDelayMs(attempt - 1, this.config.webhookRetryMs), heartbeat);
        if (!waited) return false;
      }
      const timestamp = Math.floor(Date.now() / 1000);
      const outcome = await this.sender.post(
        url,
        body,
        {
          [WEBHOOK_HEADERS.signature]: webhookSignature(body, timestamp, this.config.webhookSecret as string),
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.idempotencyKey]: notification.id,
          ...traceHeaders(span), // the receiver may continue the trace
        },
        this.config.webhookTimeoutMs,
      );
      if ('status' in outcome) span.setAttribute('http.response.status_code', outcome.status);
      span.setAttribute('vigil.webhook.attempts', attempt);
      if ('status' in outcome && delivered(outcome.status)) {
        await this.redis.client.set(marker, '1', 'EX', 30 * 24 * 3600);
        deliveries.inc({ outcome: 'delivered' });
        span.setAttribute('vigil.webhook.outcome', 'delivered');
        return true;
      }
      lastError = 'status' in outcome ? `HTTP ${outcome.status}` : outcome.error;
      this.logger.warn(
        `webhook ${notification.type} ${notification.id}: attempt ${attempt} failed (${lastError})`,
      );
      await heartbeat();
    }
    await this.deadLetter(notification, body, url, lastError);
    await this.redis.client.set(marker, 'dead-lettered', 'EX', 30 * 24 * 3600);
    span.setAttribute('vigil.webhook.outcome', 'dead-lettered');
    return true;
  }

  private async deadLetter(
    n: WebhookNotification,
    body: string,
    url: string,
    lastError: string,
  ): Promise<void> {
    await this.kafka.send(TOPICS.webhookDeadLetter, [
      {
        key: n.alert.patientId,
        value: {
          v: 1,
          id: n.id,
          type: n.type,
          alertId: n.alert.alertId,
          patientId: n.alert.patientId,
          url,
          attempts: this.config.webhookMaxAttempts,
          lastError,
          at: Date.now(),
          body,
        },
      },
    ]);
    deliveries.inc({ outcome: 'dead-lettered' });
    this.logger.error(
      `webhook ${n.type} ${n.id} (alert ${pseudonym(n.alert.alertId)}) NOT delivered after ${this.config.webhookMaxAttempts} attempts (${lastError}): in ${TOPICS.webhookDeadLetter}`,
    );
  }

  /** Back-off that keeps the group membership (heartbeats) and ends early on shutdown (false). */
  private async wait(ms: number, heartbeat: () => Promise<void>): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (this.stopping.signal.aborted) return false;
      await new Promise<void>((resolve) => {
        const stop = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(
          () => {
            this.stopping.signal.removeEventListener('abort', stop);
            resolve();
          },
          Math.min(1000, until - Date.now()),
        );
        this.stopping.signal.addEventListener('abort', stop, { once: true });
      });
      await heartbeat();
    }
    return !this.stopping.signal.aborted;
  }
}
