import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import { TELEMETRY_TOPIC_PATTERN } from '@vigil/contracts';
import { CONFIG, type HealthIndicator, type HealthStatus } from '@vigil/infra';
import { IngestMetrics } from '../ingest.metrics';
import { mqttTlsOptions, type MqttTlsOptions } from './mqtt-tls';
import { MqttSession, type SessionLoad, type SessionMessage } from './mqtt.session';

/** One telemetry message as the broker delivered it. */
export type InboundMessage = SessionMessage;

/**
 * Called for each message in arrival order; the returned promise resolves when the message is
 * safely in Kafka, and only then is it acknowledged to the broker. Rejects only when the instance
 * is going away (the message then stays unacknowledged and is redelivered).
 */
export type MessageHandler = (message: InboundMessage) => Promise<void>;

/**
 * The MQTT edge: this instance's connection(s) in one MQTT 5 shared subscription
 * (`$share/<group>/vigil/v1/devices/+/telemetry`), QoS 1. Messages are pipelined; each PUBACK
 * goes out after Kafka acknowledged the message's records, in arrival order. The broker stops
 * sending once Receive Maximum messages are unacknowledged: back-pressure, not buffering.
 *
 * Sessions persist under stable client ids (`<instance>-<n>`): if this process dies before an
 * acknowledgement, the broker redelivers the message when the instance comes back.
 */
@Injectable()
export class MqttSubscriber implements HealthIndicator, OnApplicationShutdown {
  readonly name = 'mqtt';
  private readonly logger = new Logger(MqttSubscriber.name);
  private sessions: MqttSession[] = [];
  private stopping = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly unobserve: () => void;
  private readonly tls: MqttTlsOptions;

  constructor(
    @Inject(CONFIG) private readonly config: Settings,
    private readonly metrics: IngestMetrics,
  ) {
    this.tls = mqttTlsOptions(config);
    this.unobserve = metrics.observe(() => {
      const load = this.load();
      metrics.backlog.set(load.reduce((n, l) => n + l.backlog, 0));
      metrics.pausedConnections.set(load.filter((l) => l.paused).length);
      metrics.saturatedSeconds.set(this.saturatedForMs() / 1000);
    });
  }

  get subscription(): string {
    return `$share/${this.config.mqttShareGroup}/${TELEMETRY_TOPIC_PATTERN}`;
  }

  /** Connects every connection and subscribes; resolves once all are subscribed. */
  async start(handler: MessageHandler): Promise<void> {
    const count = this.config.ingestMqttConnections;
    this.sessions = Array.from({ length: count }, (_, i) => this.session(i, handler));
    await Promise.all(this.sessions.map((s) => s.start()));
    this.logger.log(`subscribed ${this.subscription} with ${count} connection(s) to ${this.config.mqttUrl}`);
  }

  check(): HealthStatus {
    const up = this.sessions.filter((s) => s.connected).length;
    return {
      up: this.sessions.length > 0 && up === this.sessions.length,
      detail: `${up} of ${this.sessions.length} connection(s) to ${redactUrl(this.config.mqttUrl)} subscribed`,
    };
  }

  load(): SessionLoad[] {
    return this.sessions.map((s) => s.load);
  }

  /** How long every connection has held Receive Maximum messages without a break (0: not saturated). */
  saturatedForMs(now = Date.now()): number {
    const since = this.sessions.map((s) => s.load.saturatedSince);
    if (since.length === 0 || since.some((t) => t === null)) return 0;
    return now - Math.max(...(since as number[]));
  }

  /**
   * The `ingest-capacity` check: down when ingest has been full (every slot taken, the socket paused
   * or about to be) longer than VIGIL_INGEST_MAX_SATURATED_MS — it is not keeping up, and the broker's
   * queue for it grows.
   */
  readonly capacity: HealthIndicator = {
    name: 'ingest-capacity',
    check: (): HealthStatus => {
      const ms = this.saturatedForMs();
      const inFlight = this.load().reduce((n, l) => n + l.inFlight, 0);
      return ms > this.config.ingestMaxSaturatedMs
        ? {
            up: false,
            detail: `not keeping up: ${inFlight} message(s) in flight (Receive Maximum on every connection) for ${Math.round(ms)} ms; the broker holds the rest`,
          }
        : { up: true, detail: `${inFlight} message(s) in flight` };
    },
  };

  /**
   * Graceful stop (drain): messages being handled finish and are acknowledged; those arriving
   * meanwhile are left unacknowledged for the broker to redeliver; then the connections close.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await Promise.all(this.sessions.map((s) => s.stop()));
    this.sessions = [];
  }

  /** For tests: drop the connections as a crash would (no DISCONNECT, nothing more acknowledged). */
  crash(): void {
    this.stopping = true;
    for (const s of this.sessions) s.kill();
    this.sessions = [];
  }

  async onApplicationShutdown(): Promise<void> {
    this.unobserve();
    if (this.sessions.length > 0) await this.stop();
  }

  private session(index: number, handler: MessageHandler): MqttSession {
    const clientId = `${this.config.ingestInstance}-${index}`;
    const session = new MqttSession({
      url: this.config.mqttUrl,
      clientId,
      username: this.config.mqttUsername,
      password: this.config.mqttPassword,
      subscription: this.subscription,
      sessionExpirySeconds: this.config.ingestMqttSessionExpirySeconds,
      receiveMaximum: this.config.ingestReceiveMaximum,
      tls: this.tls,
    });
    session.on('warning', (error: Error) => this.logger.warn(`${clientId}: ${error.message}`));
    session.on('disconnected', (reason: string) => {
      if (!this.stopping) this.logger.warn(`${clientId}: ${reason}; reconnecting`);
    });
    session.on('resubscribed', (gapMs: number) => {
      if (this.stopping) return;
      this.metrics.resubscribed.inc();
      // Mosquitto 2.0 does not restore shared subscriptions over its restart: until this SUBACK the
      // share group may have had no member, and the broker dropped what devices published meanwhile,
      // answering PUBACK 0x10 "No matching subscribers". Only devices that re-send on 0x10 lose nothing.
      this.logger.warn(
        `${clientId}: subscribed again after ${Math.round(gapMs)} ms without the broker; if it restarted, what devices published in between was refused with PUBACK 0x10 and is safe only if they re-send it (docs/ingest.md, "The MQTT broker")`,
      );
    });
    session.on('message', (message: InboundMessage, ack: () => void) => {
      // QoS 1: never acknowledged, so redelivered to the next start. QoS 0 has no second chance.
      if (this.stopping) return this.dropped(message, 'ingest is stopping');
      const work = handler(message).then(ack, (error: unknown) => {
        const why = error instanceof Error ? error.message : String(error);
        if (message.qos === 0) this.dropped(message, why);
        else this.logger.warn(`${message.topic}: not acknowledged (${why})`);
      });
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    });
    return session;
  }

  /** A QoS 0 message that neither reached Kafka nor can be redelivered: counted, and said loudly. */
  private dropped(message: InboundMessage, why: string): void {
    if (message.qos === 1) return;
    this.metrics.dropped.inc();
    this.logger.error(`${message.topic}: QoS 0 message dropped (${why}); devices should publish with QoS 1`);
  }
}

/** The broker URL without credentials, for health details and logs. */
const redactUrl = (url: string): string => {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString();
};
