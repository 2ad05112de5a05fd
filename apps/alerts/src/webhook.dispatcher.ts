import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Consumer, type EachBatchPayload } from 'kafkajs';
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
  CONFIG,
  decodeJson,
  type HealthIndicator,
  KafkaConnection,
  offsetAfter,
  RedisConnection,
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
  private consumer: Consumer | null = null;
  private running = false;
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
  }

  get enabled(): boolean {
    return this.config.webhookUrl !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    const consumer = this.kafka.kafka.consumer({
      groupId: this.kafka.group(webhookGroup),
      sessionTimeout: 10_000,
      rebalanceTimeout: 20_000,
      heartbeatInterval: 1_000,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({
      topics: [this.kafka.topic(TOPICS.audit)],
      fromBeginning: this.config.newGroupsFrom === 'earliest',
    });
    consumer.on(consumer.events.GROUP_JOIN, () => (this.running = true));
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.onBatch(p) });
  }

  /** Up when disabled, or once the group gave this gateway its share. */
  check(): boolean {
    return !this.enabled || this.running;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await this.consumer?.disconnect();
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    for (const { offset, value } of decodeJson<AlertAudit>(
      batch.messages,
      `${batch.topic}[${batch.partition}]`,
      this.logger,
    )) {
      if (this.stopping.signal.aborted || !payload.isRunning() || payload.isStale()) return;
      const done = await this.handle(value, () => payload.heartbeat());
      if (!done) return; // shutting down mid-retry: not committed, the next owner sends it
      payload.resolveOffset(String(offset));
      await this.consumer?.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: String(offset + 1n) },
      ]);
      await payload.heartbeat();
    }
    payload.resolveOffset(batch.lastOffset());
    await this.consumer?.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: offsetAfter(batch) },
    ]);
  }

  /** True once the record is settled (sent, skipped, or dead-lettered); false when interrupted by shutdown. */
  private async handle(audit: AlertAudit, heartbeat: () => Promise<void>): Promise<boolean> {
    const notification = buildNotification(audit, await this.store.get(audit.alertId));
    if (notification === null) return true;
    const marker = `${this.markerPrefix}${notification.id}`;
    if ((await this.redis.client.exists(marker)) === 1) {
      deliveries.inc({ outcome: 'duplicate' });
      return true;
    }
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
        },
        this.config.webhookTimeoutMs,
      );
      if ('status' in outcome && delivered(outcome.status)) {
        await this.redis.client.set(marker, '1', 'EX', 30 * 24 * 3600);
        deliveries.inc({ outcome: 'delivered' });
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
      `webhook ${n.type} ${n.id} (alert ${n.alert.alertId}) NOT delivered after ${this.config.webhookMaxAttempts} attempts (${lastError}): in ${TOPICS.webhookDeadLetter}`,
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
