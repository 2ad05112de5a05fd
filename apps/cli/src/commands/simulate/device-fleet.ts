import { connectAsync, type MqttClient } from 'mqtt';
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
}

/**
 * One MQTT 5 connection per simulated device, as real devices would connect: clientId and username
 * are the device id. `publish` resolves once the message is handed over, and waits first when the
 * device already has `maxInFlight` publishes awaiting PUBACK, so a slow broker slows the simulator
 * instead of growing a buffer.
 */
/** What the fleet needs of an MQTT connection (an mqtt.js client, or a fake in specs). */
export type DeviceConnection = Pick<MqttClient, 'publishAsync' | 'endAsync'>;

export class DeviceFleet {
  private readonly inFlight = new Map<string, Promise<unknown>[]>();
  private failures = 0;
  private lastError: Error | null = null;

  constructor(
    private readonly clients: ReadonlyMap<string, DeviceConnection>,
    private readonly maxInFlight: number,
  ) {}

  static async connect(options: FleetOptions): Promise<DeviceFleet> {
    const clients = new Map<string, MqttClient>();
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
              reconnectPeriod: 1000,
              connectTimeout: 10_000,
              ...options.tls,
            }),
          ),
        );
        batch.forEach((id, k) => clients.set(id, connected[k]));
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

  get errors(): { count: number; last: string | null } {
    return { count: this.failures, last: this.lastError?.message ?? null };
  }

  async publish(deviceId: string, payload: string): Promise<void> {
    const client = this.clients.get(deviceId);
    if (!client) throw new RangeError(`no connection for ${deviceId}`);
    let queue = this.inFlight.get(deviceId);
    if (!queue) this.inFlight.set(deviceId, (queue = []));
    while (queue.length >= this.maxInFlight) await queue.shift();
    const p = client.publishAsync(telemetryTopic(deviceId), payload, { qos: 1 }).catch((error: unknown) => {
      this.failures++;
      this.lastError = error instanceof Error ? error : new Error(String(error));
    });
    queue.push(p);
  }

  /** Waits for every outstanding PUBACK, then disconnects. */
  async close(): Promise<void> {
    await Promise.all([...this.inFlight.values()].flat());
    await Promise.all([...this.clients.values()].map((c) => c.endAsync()));
  }
}
