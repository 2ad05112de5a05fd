import { EventEmitter } from 'node:events';
import { isIP, connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { generate, type IPublishPacket, type Packet, parser as mqttParser } from 'mqtt-packet';
import { type MqttTlsOptions } from './mqtt-tls';
import { OrderedAckQueue } from './ordered-ack.queue';

export interface SessionOptions {
  readonly url: string;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  /** Subscribed with QoS 1 after every (re)connect. */
  readonly subscription: string;
  readonly sessionExpirySeconds: number;
  /** The broker sends at most this many unacknowledged QoS 1 messages: the bound on work in flight. */
  readonly receiveMaximum: number;
  readonly keepaliveSeconds?: number;
  readonly reconnectMs?: number;
  /** CA, client certificate and key for mqtts: URLs. */
  readonly tls?: MqttTlsOptions;
}

export interface SessionMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly userProperties: Readonly<Record<string, string | string[]>>;
  readonly redelivered: boolean;
  /** 0: the device did not ask for an acknowledgement, so nothing can redeliver it. */
  readonly qos: 0 | 1;
}

/** What one connection holds right now (metrics, health). */
export interface SessionLoad {
  /** Handed over, not yet acknowledged. */
  readonly inFlight: number;
  /** Parsed from the socket, waiting for a free slot (at most one socket read). */
  readonly backlog: number;
  /** The socket is paused: ingest is not reading from the broker (back-pressure). */
  readonly paused: boolean;
  /** Since when every slot (Receive Maximum) has been taken without a break; null when one is free. */
  readonly saturatedSince: number | null;
}

/**
 * One MQTT 5 subscriber connection that pipelines: every message is handed over as it arrives
 * (several in flight, up to Receive Maximum), and its PUBACK goes out, in arrival order, only when
 * `ack` is called, i.e. after Kafka acknowledged. (mqtt.js handles one message at a time per
 * connection, which would cap ingest at one Kafka round trip per message.) Reconnects with the
 * same client id; the broker redelivers what was not acknowledged.
 *
 * Events: 'message' (message, ack: () => void), 'connected', 'disconnected' (reason),
 * 'resubscribed' (ms without a subscription: from losing the connection to the new SUBACK).
 */
export class MqttSession extends EventEmitter {
  private socket: Socket | null = null;
  private readonly acks = new OrderedAckQueue();
  private generation = 0;
  /** CONNACK received: PUBACKs may be sent (a resumed session's messages arrive before the SUBACK). */
  private online = false;
  /** SUBACK received: subscribed. */
  private ready = false;
  private closing = false;
  private pingTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private awaitingPong = false;
  /** Parsed, not yet handed over: messages beyond Receive Maximum wait here while the socket is paused. */
  private backlog: IPublishPacket[] = [];
  /** QoS 0 messages handed over and not finished (they have no PUBACK, but count against the bound). */
  private unackedQos0 = 0;
  private saturatedSince: number | null = null;
  /** When the last subscribed connection was lost (null: subscribed, or never was). */
  private lostAt: number | null = null;

  constructor(private readonly options: SessionOptions) {
    super();
  }

  get connected(): boolean {
    return this.ready;
  }

  get load(): SessionLoad {
    return {
      inFlight: this.acks.size + this.unackedQos0,
      backlog: this.backlog.length,
      paused: this.socket?.isPaused() ?? false,
      saturatedSince: this.saturatedSince,
    };
  }

  /** Connects and subscribes; resolves on the SUBACK, rejects if the broker refuses the connection. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onUp = () => {
        this.off('refused', onRefused);
        resolve();
      };
      const onRefused = (error: Error) => {
        this.off('connected', onUp);
        this.closing = true;
        reject(error);
      };
      this.once('connected', onUp);
      this.once('refused', onRefused);
      this.open();
    });
  }

  /** Sends DISCONNECT and closes; unacknowledged messages stay with the broker's session. */
  async stop(): Promise<void> {
    this.closing = true;
    this.clearTimers();
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      if (this.online) socket.end(generate({ cmd: 'disconnect', reasonCode: 0 }, { protocolVersion: 5 }));
      else socket.destroy();
    });
  }

  /** Drops the connection as a crash would: no DISCONNECT, nothing more acknowledged. */
  kill(): void {
    this.closing = true;
    this.clearTimers();
    this.ready = false;
    this.online = false;
    this.acks.clear();
    this.socket?.destroy();
  }

  private open(): void {
    const url = new URL(this.options.url);
    const port = Number(url.port || (url.protocol === 'mqtts:' ? 8883 : 1883));
    if (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:')
      throw new Error(`ingest speaks MQTT over TCP or TLS (mqtt:, mqtts:), not ${url.protocol}`);
    const socket =
      url.protocol === 'mqtts:'
        ? tlsConnect({
            host: url.hostname,
            port,
            // SNI carries host names only (RFC 6066); an IP address is verified against the certificate's IP SANs.
            ...(isIP(url.hostname) === 0 ? { servername: url.hostname } : {}),
            ...this.options.tls,
          })
        : tcpConnect({ host: url.hostname, port });
    socket.setNoDelay(true);
    const generation = ++this.generation;
    this.socket = socket;
    const parser = mqttParser({ protocolVersion: 5 });
    parser.on('packet', (packet: Packet) => this.onPacket(packet, generation));
    parser.on('error', (error: Error) => this.fail(`protocol error: ${error.message}`));
    socket.on('data', (chunk: Buffer) => parser.parse(chunk));
    socket.on('error', (error: Error) => this.emit('warning', error));
    socket.on('close', () => this.onClose(generation));
    socket.once(url.protocol === 'mqtts:' ? 'secureConnect' : 'connect', () => {
      this.send({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 5,
        clientId: this.options.clientId,
        clean: false,
        keepalive: this.options.keepaliveSeconds ?? 30,
        username: this.options.username,
        password: this.options.password === undefined ? undefined : Buffer.from(this.options.password),
        properties: {
          sessionExpiryInterval: this.options.sessionExpirySeconds,
          receiveMaximum: this.options.receiveMaximum,
        },
      });
    });
  }

  private onPacket(packet: Packet, generation: number): void {
    if (generation !== this.generation) return;
    switch (packet.cmd) {
      case 'connack': {
        const code = packet.reasonCode ?? packet.returnCode ?? 0;
        if (code !== 0) {
          this.emit('refused', new Error(`broker refused ${this.options.clientId}: reason code ${code}`));
          this.socket?.destroy();
          return;
        }
        this.online = true;
        this.send({
          cmd: 'subscribe',
          messageId: 1,
          subscriptions: [{ topic: this.options.subscription, qos: 1 }],
        });
        return;
      }
      case 'suback': {
        const granted = (packet.granted as number[])[0];
        if (granted !== 1 && granted !== 0) {
          this.emit(
            'refused',
            new Error(`broker refused the subscription ${this.options.subscription}: reason code ${granted}`),
          );
          this.socket?.destroy();
          return;
        }
        this.ready = true;
        this.startPing();
        this.emit('connected');
        if (this.lostAt !== null) this.emit('resubscribed', Date.now() - this.lostAt);
        this.lostAt = null;
        return;
      }
      case 'publish':
        this.onPublish(packet, generation);
        return;
      case 'pingresp':
        this.awaitingPong = false;
        return;
      case 'disconnect':
        this.fail(`broker disconnected (reason code ${packet.reasonCode ?? 0})`);
        return;
      // A subscriber that publishes nothing and subscribes once gets none of these that matter.
      case 'auth':
      case 'connect':
      case 'pingreq':
      case 'puback':
      case 'pubcomp':
      case 'pubrec':
      case 'pubrel':
      case 'subscribe':
      case 'unsuback':
      case 'unsubscribe':
        return;
    }
  }

  /**
   * Mosquitto 2.0 honours the Receive Maximum we announce only until the first PUBACK; afterwards it
   * may send its whole queue. So the bound is also kept here: beyond it, messages wait in a backlog
   * of at most one socket read, and the socket is paused (TCP back-pressure to the broker).
   */
  private onPublish(packet: IPublishPacket, generation: number): void {
    this.backlog.push(packet);
    this.drain(generation);
  }

  private drain(generation: number): void {
    if (generation !== this.generation) return;
    while (this.backlog.length > 0 && this.acks.size + this.unackedQos0 < this.options.receiveMaximum) {
      this.dispatch(this.backlog.shift() as IPublishPacket, generation);
    }
    if (this.acks.size + this.unackedQos0 < this.options.receiveMaximum) this.saturatedSince = null;
    else this.saturatedSince ??= Date.now();
    if (this.backlog.length > 0) this.socket?.pause();
    else this.socket?.resume();
  }

  private dispatch(packet: IPublishPacket, generation: number): void {
    const message: SessionMessage = {
      topic: packet.topic,
      payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
      userProperties: packet.properties?.userProperties ?? {},
      redelivered: packet.dup,
      qos: packet.qos === 0 || packet.messageId === undefined ? 0 : 1,
    };
    if (packet.qos === 0 || packet.messageId === undefined) {
      // QoS 0 (a device that publishes without acknowledgement) has no PUBACK, but counts against the bound.
      this.unackedQos0++;
      let finished = false;
      this.emit('message', message, () => {
        if (finished || generation !== this.generation) return;
        finished = true;
        this.unackedQos0--;
        this.drain(generation);
      });
      return;
    }
    const id = packet.messageId;
    this.acks.received(id);
    let done = false;
    this.emit('message', message, () => {
      if (done || generation !== this.generation || !this.online) return; // that connection is gone: the broker redelivers
      done = true;
      for (const due of this.acks.settle(id)) this.send({ cmd: 'puback', messageId: due, reasonCode: 0 });
      this.drain(generation);
    });
  }

  private onClose(generation: number): void {
    if (generation !== this.generation) return;
    const wasReady = this.ready;
    this.ready = false;
    this.online = false;
    this.acks.clear();
    this.backlog = [];
    this.unackedQos0 = 0;
    this.saturatedSince = null;
    this.clearTimers();
    if (wasReady) {
      this.lostAt = Date.now();
      this.emit('disconnected', 'connection closed');
    }
    if (!this.closing) {
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        if (!this.closing) this.open();
      }, this.options.reconnectMs ?? 1000);
    }
  }

  private fail(reason: string): void {
    this.emit('warning', new Error(reason));
    this.socket?.destroy();
  }

  private startPing(): void {
    const keepalive = (this.options.keepaliveSeconds ?? 30) * 1000;
    this.pingTimer = setInterval(() => {
      // While paused (back-pressure) the PINGRESP sits unread; the PINGREQ still keeps the session alive.
      if (this.awaitingPong && !(this.socket?.isPaused() ?? false))
        return this.fail('no PINGRESP within the keep-alive');
      this.awaitingPong = true;
      this.send({ cmd: 'pingreq' });
    }, keepalive / 2);
    this.pingTimer.unref();
  }

  private clearTimers(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.pingTimer = null;
    this.reconnectTimer = null;
    this.awaitingPong = false;
  }

  private send(packet: Packet): void {
    if (this.socket && !this.socket.destroyed) this.socket.write(generate(packet, { protocolVersion: 5 }));
  }
}
