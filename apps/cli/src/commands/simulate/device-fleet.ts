import { connectAsync, type MqttClient, type Packet } from 'mqtt';
import { telemetryTopic } from '@vigil/contracts';

export interface FleetOptions {
  readonly url: string;
  readonly deviceIds: readonly string[];
  /** deviceId -> MQTT password (per-device credentials). */
  readonly passwords: Readonly<Record<string, string>>;
  /** Unacknowledged QoS 1 publishes allowed per device before `publish` waits (back-pressure). */
  readonly maxInFlight: number;
  /** CA (and client certificate) for an mqtts:// broker: VIGIL_MQTT_TLS_*_FILE. */
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  /** Delay before each reconnect attempt (mqtt.js reconnectPeriod); 1000 unless given. */
  readonly reconnectMs?: number;
}

/** What the fleet needs of an MQTT connection (`deliveringConnection` of an mqtt.js client, or a fake in specs). */
export interface DeviceConnection {
  publishAsync(topic: string, message: string | Buffer, opts?: { qos?: 0 | 1 | 2 }): Promise<unknown>;
  endAsync(): Promise<void>;
}

/** MQTT 5 PUBACK reason code 0x10: the broker took the message but had no subscriber to give it to. */
export const NO_MATCHING_SUBSCRIBERS = 0x10;

/** A PUBACK that acknowledged nothing: the broker had no subscriber for the message and dropped it. */
export class NotDeliveredError extends Error {
  constructor(topic: string) {
    super(`${topic}: PUBACK 0x10 "No matching subscribers" (the broker dropped it; sent again)`);
    this.name = 'NotDeliveredError';
  }
}

/**
 * An mqtt.js client whose `publishAsync` resolves only when the broker delivered the message to a
 * subscriber. mqtt.js resolves a PUBACK with reason code 0x10 ("No matching subscribers") as a
 * success, but the broker has dropped that message. Mosquitto 2.0 answers so after a restart until
 * ingest has subscribed again: it does not restore shared subscriptions ($share/…) from its
 * persistence file, so the group has no member until ingest reconnects (docs/ingest.md, "The MQTT
 * broker"). Here such a publish rejects with NotDeliveredError, and the device sends it again.
 */
export function deliveringConnection(client: MqttClient): DeviceConnection {
  // Packet ids whose PUBACK said 0x10. 'packetreceive' comes before mqtt.js settles the publish,
  // and the id is freed only after its callback ran (which gets the stored PUBLISH, with the id).
  const notDelivered = new Set<number>();
  client.on('packetreceive', (packet) => {
    if (
      packet.cmd === 'puback' &&
      packet.reasonCode === NO_MATCHING_SUBSCRIBERS &&
      packet.messageId !== undefined
    )
      notDelivered.add(packet.messageId);
  });
  return {
    publishAsync: (topic, message, opts) =>
      new Promise((resolve, reject) => {
        client.publish(topic, message, opts ?? {}, (error?: Error, packet?: Packet) => {
          const id = packet && 'messageId' in packet ? packet.messageId : undefined;
          const dropped = id !== undefined && notDelivered.delete(id);
          if (error) reject(error);
          else if (dropped) reject(new NotDeliveredError(topic));
          else resolve(undefined);
        });
      }),
    endAsync: () => client.endAsync(),
  };
}

/** How long a closing fleet keeps re-sending a publish the broker never acknowledged before it gives up. */
const GIVE_UP_AFTER_CLOSE_MS = 30_000;

/**
 * One MQTT 5 connection per simulated device, as real devices would connect: clientId and username
 * are the device id. `publish` resolves once the message is handed over, and waits first when the
 * device already has `maxInFlight` publishes awaiting PUBACK, so a slow broker slows the simulator
 * instead of growing a buffer.
 *
 * A device keeps every sample until the broker acknowledged it — a PUBACK that is neither an error
 * nor 0x10 "No matching subscribers" — and sends it again (same payload, same seq) after a failed
 * publish or a lost connection; ingest's dedupe by (device, seq, ts) makes a repeat harmless. What a
 * hospital's devices must do likewise (docs/ingest.md).
 */
export class DeviceFleet {
  private readonly inFlight = new Map<string, Promise<unknown>[]>();
  private failures = 0;
  private resends = 0;
  private lastError: Error | null = null;
  private closingSince: number | null = null;

  constructor(
    private readonly clients: ReadonlyMap<string, DeviceConnection>,
    private readonly maxInFlight: number,
    private readonly retryMs = 250,
  ) {}

  static async connect(options: FleetOptions): Promise<DeviceFleet> {
    const clients = new Map<string, DeviceConnection>();
    try {
      // A few connections at a time: a ward of devices should not SYN-flood a local broker.
      for (let i = 0; i < options.deviceIds.length; i += 50) {
        const batch = options.deviceIds.slice(i, i + 50);
        const connected = await Promise.all(
          batch.map((deviceId) =>
            connectAsync(options.url, {
              protocolVersion: 5,
              clientId: deviceId,
              username: deviceId,
              password: options.passwords[deviceId],
              clean: true,
              reconnectPeriod: options.reconnectMs ?? 1000,
              connectTimeout: 10_000,
              ...options.tls,
            }),
          ),
        );
        batch.forEach((id, k) => clients.set(id, deliveringConnection(connected[k])));
      }
    } catch (error) {
      await Promise.all([...clients.values()].map((c) => c.endAsync()));
      throw new Error(
        `cannot connect to ${options.url}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    return new DeviceFleet(clients, options.maxInFlight);
  }

  /** Publishes given up (never acknowledged), and the last error seen. */
  get errors(): { count: number; last: string | null } {
    return { count: this.failures, last: this.lastError?.message ?? null };
  }

  /** Publishes sent again because the broker had not acknowledged them (lost connection, 0x10). */
  get resent(): number {
    return this.resends;
  }

  async publish(deviceId: string, payload: string): Promise<void> {
    const client = this.clients.get(deviceId);
    if (!client) throw new RangeError(`no connection for ${deviceId}`);
    let queue = this.inFlight.get(deviceId);
    if (!queue) this.inFlight.set(deviceId, (queue = []));
    while (queue.length >= this.maxInFlight) await queue.shift();
    queue.push(this.deliver(client, telemetryTopic(deviceId), payload));
  }

  /** Waits for every outstanding PUBACK, then disconnects. */
  async close(): Promise<void> {
    this.closingSince = Date.now();
    await Promise.all([...this.inFlight.values()].flat());
    await Promise.all([...this.clients.values()].map((c) => c.endAsync()));
  }

  private async deliver(client: DeviceConnection, topic: string, payload: string): Promise<void> {
    for (;;) {
      try {
        await client.publishAsync(topic, payload, { qos: 1 });
        return;
      } catch (error) {
        this.lastError = error instanceof Error ? error : new Error(String(error));
        if (this.closingSince !== null && Date.now() - this.closingSince > GIVE_UP_AFTER_CLOSE_MS) {
          this.failures++;
          return;
        }
        this.resends++;
        await new Promise((r) => setTimeout(r, this.retryMs)); // mqtt.js reconnects meanwhile
      }
    }
  }
}
