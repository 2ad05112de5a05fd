import { connectAsync, type MqttClient } from 'mqtt';
import { telemetryTopic } from '@vigil/contracts';
import { deliveringConnection, type DeviceConnection } from '@vigil/e2e-bench';
import { telemetryPayload, VitalsSimulator } from '@vigil/simulator';

export interface PublishedSample {
  readonly deviceId: string;
  readonly seq: number;
  readonly ts: number;
  /** Index of the fault phase during which the device first published it. */
  readonly phase: number;
}

export const sampleKey = (s: { deviceId: string; seq: number; ts: number }): string =>
  `${s.deviceId}|${s.seq}|${s.ts}`;

/**
 * Steady load from the simulator (seeded, with the demo's episodes so alerts are raised), one MQTT
 * connection per device as real devices have. A device is at-least-once like a real one: a publish
 * that fails (the broker went away) is sent again after its reconnect, until it is acknowledged
 * (PUBACK) — a PUBACK 0x10 "No matching subscribers" is not one: Mosquitto 2.0 drops what arrives
 * after its restart before ingest has subscribed again (docs/ingest.md, "The MQTT broker").
 * Every acknowledged sample goes into the ledger the suite counts against Kafka.
 */
export class SteadyLoad {
  readonly published = new Map<string, PublishedSample>();
  phase = 0;
  failedPublishes = 0;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private readonly inFlight = new Map<string, Set<Promise<void>>>();
  private readonly delivering = new Map<string, DeviceConnection>();

  private constructor(
    private readonly sim: VitalsSimulator,
    private readonly clients: Map<string, MqttClient>,
    private readonly speed: number,
  ) {}

  static async connect(options: {
    url: string;
    devices: number;
    seed: number;
    speed: number;
    startMs: number;
  }): Promise<SteadyLoad> {
    const sim = new VitalsSimulator({
      seed: options.seed,
      patients: options.devices,
      startMs: options.startMs,
      episodes: 'demo',
    });
    const clients = new Map<string, MqttClient>();
    for (const p of sim.patients)
      clients.set(
        p.deviceId,
        await connectAsync(options.url, {
          protocolVersion: 5,
          clientId: p.deviceId,
          username: p.deviceId,
          clean: true,
          reconnectPeriod: 500,
          connectTimeout: 5000,
        }),
      );
    return new SteadyLoad(sim, clients, options.speed);
  }

  get patients(): VitalsSimulator['patients'] {
    return this.sim.patients;
  }

  /** Plays `speed` seconds of measurement time per wall second until `stop`. */
  start(): void {
    const t0 = performance.now();
    let ticks = 0;
    this.loop = (async () => {
      while (!this.stopping) {
        const ahead = t0 + (ticks * 1000) / this.speed - performance.now();
        if (ahead > 1) await new Promise((r) => setTimeout(r, ahead));
        for (const r of this.sim.tick()) await this.publish(r.deviceId, r.seq, r.ts, telemetryPayload([r]));
        ticks++;
      }
    })();
  }

  /** Stops publishing, waits until every sample sent is acknowledged, and disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await Promise.all([...this.inFlight.values()].flatMap((s) => [...s]));
    await Promise.all([...this.clients.values()].map((c) => c.endAsync(true).catch(() => undefined)));
  }

  private async publish(deviceId: string, seq: number, ts: number, payload: string): Promise<void> {
    let client = this.delivering.get(deviceId);
    if (!client)
      this.delivering.set(
        deviceId,
        (client = deliveringConnection(this.clients.get(deviceId) as MqttClient)),
      );
    let queue = this.inFlight.get(deviceId);
    if (!queue) this.inFlight.set(deviceId, (queue = new Set()));
    // Back-pressure: at most 16 unacknowledged publishes per device, then the simulator waits.
    while (queue.size >= 16) await Promise.race(queue);
    const phase = this.phase;
    const p = (async () => {
      for (;;) {
        try {
          await client.publishAsync(telemetryTopic(deviceId), payload, { qos: 1 });
          this.published.set(sampleKey({ deviceId, seq, ts }), { deviceId, seq, ts, phase });
          return;
        } catch {
          this.failedPublishes++;
          await new Promise((r) => setTimeout(r, 250)); // sent again once the client reconnected
        }
      }
    })();
    queue.add(p);
    void p.finally(() => queue.delete(p));
  }
}
