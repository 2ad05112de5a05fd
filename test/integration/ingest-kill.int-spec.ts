import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type RegistryStore } from '@vigil/registry';
import {
  cleanUp,
  IngestOutput,
  ingestSettings,
  startBroker,
  TestDevice,
  type TestBroker,
  testRegistry,
  uniqueName,
  waitUntil,
} from './ingest-support';

const MESSAGES = 3000;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/**
 * The ingest process itself (apps/ingest/src/main.ts) is killed with SIGKILL while thousands of
 * messages are in flight, then started again under the same instance name: every sample the device
 * published reaches vitals.samples exactly once. Redeliveries of samples already in Kafka become
 * `duplicate` dead letters, also those of a Kafka request acknowledged in the instant of the kill,
 * before its seqs were recorded: the new start re-reads the topic's recent tail first. The broker is configured as the project generates it: with Mosquitto's
 * default max_queued_messages (1000), what a device publishes during a longer outage is dropped by
 * the broker itself.
 */
describe('ingest killed mid-stream (real process, SIGKILL; real Mosquitto, Kafka, Redis)', () => {
  const id = uniqueName('it-kill');
  let port: number;
  let env: Record<string, string>;
  const settings = ingestSettings(id);
  let output: IngestOutput;
  let registry: RegistryStore;
  let closeRegistry: () => Promise<void>;
  let device: TestDevice;
  let broker: TestBroker;
  const deviceId = `${id}-dev`;
  const children: ChildProcess[] = [];

  async function startProcess(): Promise<ChildProcess> {
    const child = spawn(process.execPath, [join(__dirname, 'app-process.js'), 'ingest'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    await waitUntil(
      'ingest /health',
      async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok === true,
      60_000,
    );
    return child;
  }

  beforeAll(async () => {
    ({ registry, close: closeRegistry } = await testRegistry(settings));
    const enrolled = await registry.enrol(deviceId, `${id}-pat`);
    if (!enrolled.ok || enrolled.value.password === null) throw new Error('enrolment failed');
    broker = await startBroker(registry);
    port = await freePort();
    env = {
      VIGIL_MQTT_URL: broker.url,
      VIGIL_MQTT_USERNAME: broker.ingest.username,
      VIGIL_MQTT_PASSWORD: broker.ingest.password,
      VIGIL_TOPIC_PREFIX: settings.topicPrefix,
      VIGIL_MQTT_SHARE_GROUP: settings.mqttShareGroup,
      VIGIL_INGEST_INSTANCE: settings.ingestInstance,
      VIGIL_INGEST_PORT: String(port),
      VIGIL_LOG_LEVEL: 'error',
    };
    output = await IngestOutput.start(settings);
    device = await TestDevice.connect(
      settings,
      deviceId,
      { username: deviceId, password: enrolled.value.password },
      broker.url,
    );
  }, 60_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await device?.close();
    await output?.stop();
    await closeRegistry?.();
    await broker?.stop();
    await cleanUp(settings);
  }, 60_000);

  it(`loses and repeats none of ${MESSAGES} messages when the ingest process is SIGKILLed with messages in flight`, async () => {
    const first = await startProcess();
    const t0 = Date.now() - 3_600_000;
    let inFlight: Promise<void>[] = [];
    let killedAt = -1;
    for (let seq = 0; seq < MESSAGES; seq++) {
      inFlight.push(device.publish({ ts: t0 + seq * 1000, seq, hr: 60 + (seq % 40) }));
      if (inFlight.length >= 100) {
        await Promise.all(inFlight);
        inFlight = [];
      }
      if (killedAt < 0 && output.samples.length >= 300) {
        first.kill('SIGKILL'); // mid-stream: messages received, not all in Kafka, not acknowledged
        killedAt = seq;
      }
    }
    await Promise.all(inFlight);
    expect(killedAt).toBeGreaterThan(0);
    await new Promise<void>((resolve) =>
      first.exitCode !== null || first.signalCode !== null ? resolve() : first.once('exit', () => resolve()),
    );
    expect(output.samples.length).toBeLessThan(MESSAGES); // the kill really interrupted the stream

    const second = await startProcess(); // same VIGIL_INGEST_INSTANCE: the broker redelivers its session
    const seqs = await waitUntil(
      `all ${MESSAGES} samples`,
      () => {
        const got = new Set(output.samples.map((s) => s.value.seq));
        return got.size >= MESSAGES ? output.samples.map((s) => s.value.seq) : undefined;
      },
      120_000,
    );
    expect(new Set(seqs).size).toBe(MESSAGES); // nothing lost
    expect(seqs).toHaveLength(MESSAGES); // nothing twice
    expect(output.deadLetters.every((d) => d.reason === 'duplicate')).toBe(true);
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));
  }, 180_000);
});
