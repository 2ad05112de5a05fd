import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import { TELEMETRY_TOPIC_PATTERN } from '@vigil/contracts';
import { CONFIG, type HealthIndicator } from '@vigil/infra';
import { MqttSession, type SessionMessage } from './mqtt.session';

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

  constructor(@Inject(CONFIG) private readonly config: Settings) {}

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

  check(): boolean {
    return this.sessions.length > 0 && this.sessions.every((s) => s.connected);
  }

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
    });
    session.on('warning', (error: Error) => this.logger.warn(`${clientId}: ${error.message}`));
    session.on('disconnected', (reason: string) => {
      if (!this.stopping) this.logger.warn(`${clientId}: ${reason}; reconnecting`);
    });
    session.on('message', (message: InboundMessage, ack: () => void) => {
      if (this.stopping) return; // never acknowledged: redelivered to the next start
      const work = handler(message).then(ack, (error: unknown) => {
        this.logger.warn(
          `${message.topic}: not acknowledged (${error instanceof Error ? error.message : String(error)})`,
        );
      });
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    });
    return session;
  }
}
