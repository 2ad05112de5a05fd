import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server } from 'node:http';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { connectAsync, type IClientPublishOptions, type MqttClient } from 'mqtt';
import { loadConfig, type Settings } from '@vigil/config';
import { type DeadLetter, telemetryTopic, TOPICS, type VitalSample } from '@vigil/contracts';
import { applySecurityHeaders, ensureTopics, physicalTopic, removePrefixedState } from '@vigil/infra';
import {
  brokerUser,
  hashPassword,
  openRegistry,
  prepareBrokerDir,
  type RegistryStore,
  renderAclFile,
  renderBrokerConfig,
  renderPasswordFile,
} from '@vigil/registry';
import { expireIngestSessions, IngestModule, serveOpenApi } from '@vigil/ingest';

/** Test support for ingest and registry integration specs: real Mosquitto, Kafka and Redis. */
import { uniqueId as uniqueName, waitFor as waitUntil } from '@vigil/testing';

export { uniqueName, waitUntil };

/** The scrape credential ingestSettings give ingest's /metrics (it needs one, as the gateway's does). */
export const TEST_METRICS_TOKEN = `metrics-${randomBytes(8).toString('hex')}`;

/** GET /metrics of an app started with ingestSettings, as a scraper sends it. */
export async function metricsOf(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` } });
  if (!res.ok) throw new Error(`GET ${url}/metrics: ${res.status}`);
  return res.text();
}

/** Settings isolated per test file: topic/Redis prefix, MQTT share group and ingest instance name. */
export function ingestSettings(id: string, env: Record<string, string> = {}): Settings {
  return loadConfig({
    VIGIL_TOPIC_PREFIX: `${id}.`,
    VIGIL_MQTT_SHARE_GROUP: id,
    VIGIL_INGEST_INSTANCE: id,
    VIGIL_INGEST_PORT: '0',
    VIGIL_JWT_SECRET: `secret-${id}`,
    VIGIL_LOG_LEVEL: 'error',
    VIGIL_METRICS_TOKEN: TEST_METRICS_TOKEN,
    ...env,
  });
}

export interface RunningIngest {
  readonly app: INestApplication;
  readonly url: string;
}

/** The ingest app in this process, wired as main.ts wires it, on a random port. */
export async function startIngest(settings: Settings): Promise<RunningIngest> {
  const app = await NestFactory.create(IngestModule.forRoot(settings), { logger: ['error'] });
  applySecurityHeaders(app); // then the docs, as bootstrapApp does
  serveOpenApi(app); // before listen, as main.ts has bootstrapApp do it
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as Server;
  const { port } = server.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

/** Collects everything ingest writes to vitals.samples and vitals.deadletter, from the beginning. */
export class IngestOutput {
  readonly samples: { key: string; partition: number; value: VitalSample }[] = [];
  readonly deadLetters: DeadLetter[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(settings: Settings): Promise<IngestOutput> {
    const kafka = new Kafka({
      clientId: 'vigil-ingest-test',
      brokers: [...settings.kafkaBrokers],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, settings.topicPrefix); // the reader may start before ingest created them
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId: `${settings.topicPrefix}reader`, maxWaitTimeInMs: 100 });
    const out = new IngestOutput(consumer);
    await consumer.connect();
    const samples = physicalTopic(settings.topicPrefix, TOPICS.samples);
    await consumer.subscribe({
      topics: [samples, physicalTopic(settings.topicPrefix, TOPICS.deadLetter)],
      fromBeginning: true,
    });
    let assigned = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (assigned = true));
    await consumer.run({
      eachMessage: ({ topic, partition, message }) => {
        const value: unknown = JSON.parse(message.value?.toString() ?? 'null');
        if (topic === samples)
          out.samples.push({ key: message.key?.toString() ?? '', partition, value: value as VitalSample });
        else out.deadLetters.push(value as DeadLetter);
        return Promise.resolve();
      },
    });
    await waitUntil('the reader to join its group', () => assigned);
    return out;
  }

  samplesOf(deviceId: string): VitalSample[] {
    return this.samples.filter((s) => s.value.deviceId === deviceId).map((s) => s.value);
  }

  deadLettersOf(deviceId: string): DeadLetter[] {
    return this.deadLetters.filter((d) => d.deviceId === deviceId);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** A device: MQTT 5, QoS 1; `publish` resolves when the broker acknowledged. */
export class TestDevice {
  private constructor(
    readonly deviceId: string,
    readonly client: MqttClient,
  ) {}

  static async connect(
    settings: Settings,
    deviceId: string,
    credentials?: { username: string; password: string },
    url = settings.mqttUrl,
  ): Promise<TestDevice> {
    const client = await connectAsync(url, {
      protocolVersion: 5,
      clientId: uniqueName(deviceId),
      reconnectPeriod: 0,
      ...credentials,
    });
    return new TestDevice(deviceId, client);
  }

  async publish(
    payload: unknown,
    options: IClientPublishOptions = {},
    topic = telemetryTopic(this.deviceId),
  ): Promise<void> {
    const body = Buffer.isBuffer(payload)
      ? payload
      : typeof payload === 'string'
        ? payload
        : JSON.stringify(payload);
    await this.client.publishAsync(topic, body, { qos: 1, ...options });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

/** A registry on the test's Redis keys and Kafka topic (openRegistry, as `vigil devices` uses it). */
export async function testRegistry(
  settings: Settings,
): Promise<{ registry: RegistryStore; close: () => Promise<void> }> {
  const open = await openRegistry(settings);
  return { registry: open.registry, close: () => open.close() };
}

/** Removes what a test file left: the ingest MQTT sessions, then its topics, groups and Redis keys. */
export async function cleanUp(settings: Settings): Promise<void> {
  await expireIngestSessions(settings);
  await removePrefixedState(settings);
}

/** A Mosquitto of its own, configured as the project generates it (auth, ACL, persistence, deep queues). */
export interface TestBroker {
  readonly url: string;
  readonly ingest: { readonly username: string; readonly password: string };
  /** Rewrites passwd/ACL from the registry and reloads (SIGHUP). */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBroker(registry: RegistryStore): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-broker-'));
  mkdirSync(join(dir, 'data'));
  const ingest = { username: 'vigil-ingest', password: randomBytes(12).toString('hex') };
  const writeFiles = async () => {
    writeFileSync(
      join(dir, 'passwd'),
      renderPasswordFile(await registry.devices(), [
        { username: ingest.username, passwordHash: hashPassword(ingest.password) },
      ]),
    );
    writeFileSync(join(dir, 'acl'), renderAclFile(ingest.username));
  };
  await writeFiles();
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = s.address() as AddressInfo;
      s.close(() => resolve(p));
    });
  });
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    renderBrokerConfig(dir, port, { user: brokerUser(userInfo().username) }),
  );
  prepareBrokerDir(dir);
  const broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  const accepts = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
  await waitUntil(`mosquitto on ${port}`, accepts, 10_000);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    ingest,
    reload: async () => {
      await writeFiles();
      prepareBrokerDir(dir);
      broker.kill('SIGHUP');
    },
    stop: async () => {
      if (broker.exitCode === null && broker.signalCode === null) {
        const exited = new Promise((r) => broker.once('exit', r));
        broker.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One ingest instance, its output reader and one enrolled device: the set-up most ingest specs share. */
export class SingleDeviceRig {
  private constructor(
    readonly settings: Settings,
    readonly ingest: RunningIngest,
    readonly output: IngestOutput,
    readonly device: TestDevice,
    private readonly closeRegistry: () => Promise<void>,
  ) {}

  static async start(settings: Settings, deviceId: string, patientId: string): Promise<SingleDeviceRig> {
    const { registry, close } = await testRegistry(settings);
    await registry.enrol(deviceId, patientId);
    const ingest = await startIngest(settings);
    const output = await IngestOutput.start(settings);
    const device = await TestDevice.connect(settings, deviceId);
    return new SingleDeviceRig(settings, ingest, output, device, close);
  }

  async stop(): Promise<void> {
    await this.device.close();
    await this.output.stop();
    await this.ingest.app.close();
    await this.closeRegistry();
    await cleanUp(this.settings);
  }
}
