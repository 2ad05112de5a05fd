import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { type Producer } from 'kafkajs';
import { signToken } from '@vigil/alerting';
import { type AlertEvent, type AlertView, TOPICS } from '@vigil/contracts';
import { AlertsModule } from '@vigil/alerts';
import { physicalTopic } from '@vigil/infra';
import { type RegistryStore } from '@vigil/registry';
import { RecordingSocket, type RunningApp, startApp, testKafka, testSettings } from '@vigil/testing';
import {
  cleanUp,
  IngestOutput,
  type RunningIngest,
  startIngest,
  TestDevice,
  testRegistry,
  uniqueName,
  waitUntil,
} from './ingest-support';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** A redis-server of this spec's own (the shared one must never be flushed), without persistence. */
class PrivateRedis {
  private child: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'vigil-redis-'));
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    const probe = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    await waitUntil('the private redis-server to answer', async () => {
      try {
        if (probe.status !== 'ready') await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        probe.disconnect();
        return false;
      }
    });
    probe.disconnect();
  }

  /** SIGKILL: it saves nothing and comes back empty. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    this.child = null;
  }

  async flushAll(): Promise<void> {
    const client = new Redis(this.url);
    await client.flushall();
    await client.quit();
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Redis is derived state (issue 8 item 3): emptied (FLUSHALL) or restarted empty under load from
 * devices, ingestion goes on (no `unknown_device`, every sample in vitals.samples once, a resent
 * sample still a duplicate) and the gateway's open alerts are back on REST and WebSocket (a later
 * resolve is pushed), with no manual rebuild. Real Kafka and Mosquitto, a private redis-server.
 */
describe('Redis emptied or restarted under load (real Kafka, Mosquitto, private redis-server)', () => {
  const id = uniqueName('it-redisloss');
  let redis: PrivateRedis;
  let settings: ReturnType<typeof testSettings>;
  let registry: RegistryStore;
  let closeRegistry: (() => Promise<void>) | undefined;
  let ingest: RunningIngest | undefined;
  let alerts: RunningApp | undefined;
  let output: IngestOutput | undefined;
  let producer: Producer | undefined;
  const devices: TestDevice[] = [];
  const sockets: RecordingSocket[] = [];
  /** Every sample the broker acknowledged to a device: `${deviceId}/${seq}` → ts. */
  const published = new Map<string, number>();
  let loading = false;
  let load: Promise<void> = Promise.resolve();
  const patients = ['a', 'b', 'c'].map((p) => `${id}-pat-${p}`);
  let nurse: string;

  const alertOf = (n: number, state: AlertEvent['state'], at: number): AlertEvent => ({
    v: 1,
    alertId: `${patients[n]}.clinical.1000`,
    patientId: patients[n],
    kind: 'clinical',
    state,
    severity: 'medium',
    reason: 'SpO2 88 % (usual 97 %)',
    vitals: ['spo2'],
    evidence: [{ source: 'baseline', vital: 'spo2', value: 88, usual: 97, score: -9 }],
    startedAt: 1000,
    at,
  });
  const sendAlert = async (event: AlertEvent) => {
    await producer!.send({
      topic: physicalTopic(settings.topicPrefix, TOPICS.alerts),
      messages: [{ key: event.patientId, value: JSON.stringify(event) }],
    });
  };
  const openAlerts = async (): Promise<string[] | null> => {
    const res = await fetch(`${alerts!.url}/alerts`, { headers: { authorization: `Bearer ${nurse}` } });
    if (!res.ok) return null;
    return ((await res.json()) as AlertView[]).map((a) => a.alertId).sort();
  };
  const inKafka = () => new Set(output!.samples.map((s) => `${s.value.deviceId}/${s.value.seq}`));
  /** Waits until `n` more samples than now were acknowledged to devices and are in Kafka. */
  const moreSamplesThrough = async (n: number, what: string) => {
    const target = published.size + n;
    await waitUntil(
      what,
      () => {
        if (published.size < target) return false;
        const seen = inKafka();
        return [...published.keys()].slice(0, target).every((k) => seen.has(k));
      },
      60_000,
    );
  };

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    settings = testSettings(id, { VIGIL_REDIS_URL: redis.url, VIGIL_LOG_LEVEL: 'error' });
    nurse = signToken({ sub: 'nurse-a', role: 'clinician', teams: ['team-a'] }, settings.jwtSecret as string);
    ({ registry, close: closeRegistry } = await testRegistry(settings));
    for (let d = 0; d < 6; d++)
      await registry.enrol(`${id}-dev-${d}`, patients[d % 3], { careTeams: ['team-a'] });
    output = await IngestOutput.start(settings);
    ingest = await startIngest(settings);
    await waitUntil('ingest ready', async () => (await fetch(`${ingest!.url}/health`)).ok);
    alerts = await startApp(AlertsModule.forRoot(settings));
    producer = testKafka().producer();
    await producer.connect();
    for (let d = 0; d < 6; d++) devices.push(await TestDevice.connect(settings, `${id}-dev-${d}`));

    // Load: every device publishes a 1 Hz-stamped sample as fast as the broker acknowledges.
    loading = true;
    const t0 = Date.now() - 3600_000;
    load = Promise.all(
      devices.map(async (device) => {
        for (let seq = 0; loading; seq++) {
          const ts = t0 + seq * 1000;
          await device.publish({ ts, seq, hr: 60 + (seq % 20), spo2: 97 });
          published.set(`${device.deviceId}/${seq}`, ts);
          await new Promise((resolve) => setTimeout(resolve, 10)); // pacing, not readiness
        }
      }),
    ).then(() => undefined);
  }, 120_000);

  afterAll(async () => {
    loading = false;
    await load.catch(() => undefined);
    for (const s of sockets) s.close();
    for (const d of devices) await d.close();
    await producer?.disconnect();
    await alerts?.app.close();
    await ingest?.app.close();
    await output?.stop();
    await closeRegistry?.();
    await cleanUp(settings).catch(() => undefined);
    await redis?.stop();
  }, 120_000);

  it('keeps ingesting and keeps every open alert when Redis is flushed, then when it is restarted empty', async () => {
    await moreSamplesThrough(60, 'samples flowing before any fault');
    for (let n = 0; n < 3; n++) await sendAlert(alertOf(n, 'raised', 16_000));
    const everyAlert = patients.map((p) => `${p}.clinical.1000`).sort();
    await waitUntil('three open alerts on REST', async () =>
      JSON.stringify(await openAlerts()) === JSON.stringify(everyAlert) ? true : false,
    );
    const live = await RecordingSocket.connect(`ws://127.0.0.1:${alerts!.port}/ws`, nurse);
    sockets.push(live);
    await waitUntil('the hello', () => live.of('hello').length === 1);
    expect(
      live
        .of('hello')[0]
        .openAlerts.map((a) => a.alertId)
        .sort(),
    ).toEqual(everyAlert);

    // 1. FLUSHALL under load.
    await redis.flushAll();
    await moreSamplesThrough(120, 'samples through ingest after FLUSHALL');
    await waitUntil('the open alerts back on REST after FLUSHALL', async () =>
      JSON.stringify(await openAlerts()) === JSON.stringify(everyAlert) ? true : false,
    );
    // A sample resent after the flush is still a duplicate (ingest's memory of recent samples).
    const [resentKey, resentTs] = [...published.entries()].at(-1)!;
    const [resentDevice, resentSeq] = resentKey.split('/');
    const resender = await TestDevice.connect(settings, resentDevice);
    devices.push(resender);
    await resender.publish({ ts: resentTs, seq: Number(resentSeq), hr: 60, spo2: 97 });
    await waitUntil('the resent sample dead-lettered as a duplicate', () =>
      output!.deadLettersOf(resentDevice).some((d) => d.reason === 'duplicate'),
    );
    await sendAlert(alertOf(0, 'resolved', 90_000));
    await waitUntil('the later resolve pushed on the open socket', () =>
      live.of('alert').some((a) => a.alertId === everyAlert[0] && a.status === 'resolved'),
    );
    const afterFlush = await RecordingSocket.connect(`ws://127.0.0.1:${alerts!.port}/ws`, nurse);
    sockets.push(afterFlush);
    await waitUntil('a new socket’s hello', () => afterFlush.of('hello').length === 1);
    expect(
      afterFlush
        .of('hello')[0]
        .openAlerts.map((a) => a.alertId)
        .sort(),
    ).toEqual(everyAlert.slice(1));

    // 2. Redis killed: ingestion goes on while it is away, then it comes back empty.
    await redis.kill();
    await moreSamplesThrough(120, 'samples through ingest while Redis is down');
    await redis.start();
    await moreSamplesThrough(120, 'samples through ingest after Redis came back empty');
    await waitUntil(
      'the open alerts back on REST after the restart',
      async () => JSON.stringify(await openAlerts()) === JSON.stringify(everyAlert.slice(1)),
      60_000,
    );
    await sendAlert(alertOf(1, 'resolved', 95_000));
    await waitUntil(
      'the later resolve pushed after the restart',
      () => live.of('alert').some((a) => a.alertId === everyAlert[1] && a.status === 'resolved'),
      60_000,
    );
    await waitUntil('the registry back in Redis for the admin API', async () =>
      (await registry.devices()).length === 6 ? true : false,
    );

    // Every sample acknowledged to a device is in vitals.samples exactly once; none refused.
    loading = false;
    await load;
    await waitUntil('every published sample in Kafka', () => {
      const seen = inKafka();
      return [...published.keys()].every((k) => seen.has(k));
    });
    const counts = new Map<string, number>();
    for (const s of output!.samples) {
      const k = `${s.value.deviceId}/${s.value.seq}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect([...counts.values()].filter((c) => c > 1)).toEqual([]);
    expect(counts.size).toBe(published.size);
    // (Only this spec's devices: the shared broker also carries other tests' devices to every share group.)
    const ours = output!.deadLetters.filter((d) => d.deviceId?.startsWith(`${id}-dev-`));
    expect(ours.filter((d) => d.reason !== 'duplicate')).toEqual([]);
    // Each open alert was pushed once as open to the first socket (no replay reached it twice).
    const opens = live
      .of('alert')
      .filter((a) => a.status === 'open')
      .map((a) => a.alertId);
    expect(new Set(opens).size).toBe(opens.length);
  }, 300_000);
});
