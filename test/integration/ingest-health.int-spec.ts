import { KafkaConnection } from '@vigil/infra';
import { TcpProxy } from '../support/tcp-proxy';
import {
  cleanUp,
  IngestOutput,
  ingestSettings,
  type RunningIngest,
  startIngest,
  TestDevice,
  testRegistry,
  uniqueName,
  waitUntil,
  metricsOf,
} from './ingest-support';

interface Readiness {
  status: string;
  checks: Record<string, string>;
  down: string[];
  details: Record<string, string>;
}

/**
 * Health that tells the truth, on the real Redis, Mosquitto and Kafka. Redis and the MQTT broker are
 * reached through a TCP forwarder this spec cuts (fault injection at our own edge): readiness turns
 * 503 naming the dependency, liveness stays 200, and both recover by themselves. A Kafka that stops
 * acknowledging (its requests held at ingest's Kafka edge) makes ingest say it cannot keep up.
 */
describe('ingest health (real Redis, Mosquitto, Kafka; dependencies cut at a TCP forwarder)', () => {
  const id = uniqueName('it-health');
  let redis: TcpProxy;
  let mqtt: TcpProxy;
  let ingest: RunningIngest;
  let settings: ReturnType<typeof ingestSettings>;
  let output: IngestOutput;
  let closeRegistry: () => Promise<void>;

  const get = async (path: string) => {
    const res = await fetch(`${ingest.url}${path}`);
    return { status: res.status, body: (await res.json()) as Readiness };
  };

  beforeAll(async () => {
    const base = ingestSettings(id);
    const brokerUrl = new URL(base.mqttUrl);
    redis = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(base.redisUrl).port || 6379) });
    mqtt = await TcpProxy.start({ host: brokerUrl.hostname, port: Number(brokerUrl.port) });
    settings = ingestSettings(id, {
      VIGIL_REDIS_URL: `redis://127.0.0.1:${redis.port}`,
      VIGIL_MQTT_URL: `mqtt://127.0.0.1:${mqtt.port}`,
      VIGIL_HEALTH_CHECK_TIMEOUT_MS: '1000',
      VIGIL_INGEST_RECEIVE_MAXIMUM: '5',
      VIGIL_INGEST_MAX_WRITE_STALL_MS: '500',
      VIGIL_INGEST_MAX_SATURATED_MS: '500',
    });
    const registry = await testRegistry(settings);
    closeRegistry = registry.close;
    await registry.registry.enrol(`${id}-dev`, `${id}-pat`);
    ingest = await startIngest(settings);
    output = await IngestOutput.start(settings);
    await waitUntil('ingest ready', async () => (await get('/health/ready')).status === 200);
  }, 60_000);

  afterAll(async () => {
    await output?.stop();
    await ingest?.app.close();
    await closeRegistry?.();
    if (settings) await cleanUp(settings); // through the forwarders, which are up again by now
    await redis?.stop();
    await mqtt?.stop();
  }, 60_000);

  it('is ready with every dependency named, and /health says the same', async () => {
    const ready = await get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({
      kafka: 'up',
      redis: 'up',
      mqtt: 'up',
      'kafka-writes': 'up',
      'ingest-capacity': 'up',
      'registry-projection': 'up',
    });
    expect((await get('/health')).body.checks).toEqual(ready.body.checks);
  });

  it('answers 503 naming redis while Redis is unreachable, stays live, and recovers', async () => {
    await redis.cut();
    const down = await waitUntil('readiness 503', async () => {
      const r = await get('/health/ready');
      return r.status === 503 ? r : undefined;
    });
    expect(down.body.down).toEqual(['redis']);
    expect(down.body.details.redis).toBeDefined();
    expect((await get('/health')).status).toBe(503);
    expect((await get('/health/live')).status).toBe(200);

    await redis.restore();
    await waitUntil('ready again', async () => (await get('/health/ready')).status === 200, 30_000);
  }, 60_000);

  it('answers 503 naming mqtt while the broker is unreachable, and recovers', async () => {
    await mqtt.cut();
    const down = await waitUntil('readiness 503', async () => {
      const r = await get('/health/ready');
      return r.status === 503 ? r : undefined;
    });
    expect(down.body.down).toEqual(['mqtt']);
    expect(down.body.details.mqtt).toMatch(/0 of 1 connection/);
    expect((await get('/health/live')).status).toBe(200);

    await mqtt.restore();
    await waitUntil('ready again', async () => (await get('/health/ready')).status === 200, 30_000);
  }, 60_000);

  it('says it cannot keep up while Kafka does not acknowledge, holds only Receive Maximum, then delivers all', async () => {
    const kafka = ingest.app.get(KafkaConnection);
    const send = kafka.sendMany.bind(kafka);
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const stalled = jest.spyOn(kafka, 'sendMany').mockImplementation(async (batches) => {
      await gate; // Kafka is not acknowledging until the gate opens
      await send(batches);
    });
    const device = await TestDevice.connect(settings, `${id}-dev`);
    try {
      const t0 = Date.now() - 60_000;
      for (let seq = 0; seq < 200; seq++) await device.publish({ ts: t0 + seq * 100, seq, hr: 70 }); // the broker has them
      const down = await waitUntil('readiness 503', async () => {
        const r = await get('/health/ready');
        // Each check has its own bound (write stall, saturation): wait until both have passed.
        const both = r.body.down.includes('ingest-capacity') && r.body.down.includes('kafka-writes');
        return r.status === 503 && both ? r : undefined;
      });
      expect(down.body.down).toEqual(['kafka-writes', 'ingest-capacity']);
      expect(down.body.details['kafka-writes']).toMatch(/has not acknowledged a write for \d+ ms/);
      const metrics = await metricsOf(ingest.url);
      expect(metrics).toMatch(/^vigil_ingest_in_flight_messages 5$/m); // the rest wait at the broker
      expect(metrics).toMatch(
        /^vigil_ingest_saturated_seconds 0\.[5-9]|^vigil_ingest_saturated_seconds [1-9]/m,
      );

      openGate();
      await waitUntil('all 200 samples', () => output.samples.length >= 200, 30_000);
      expect(new Set(output.samples.map((s) => s.value.seq)).size).toBe(200);
      await waitUntil('ready again', async () => (await get('/health/ready')).status === 200);
    } finally {
      openGate();
      stalled.mockRestore();
      await device.close();
    }
  }, 60_000);

  it('exports the dependency states and a dropped counter that is 0', async () => {
    await get('/health/ready');
    const metrics = await metricsOf(ingest.url);
    expect(metrics).toMatch(/^vigil_ingest_dropped_total 0$/m);
    expect(metrics).toMatch(/^vigil_dependency_up\{dependency="redis"\} 1$/m);
    expect(metrics).toMatch(/^vigil_ingest_kafka_unacknowledged_seconds \d/m);
    expect(metrics).toMatch(/^vigil_ingest_paused_connections \d/m);
  });
});
