import { randomBytes } from 'node:crypto';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka, logLevel } from 'kafkajs';
import WebSocket from 'ws';
import { loadConfig, type Settings } from '@vigil/config';
import type { ServerEvents, ServerMessage, TopicName } from '@vigil/contracts';
import { applySecurityHeaders, configureModuleApp, physicalTopic, removePrefixedState } from '@vigil/infra';
import { expireIngestSessions } from '@vigil/ingest';

/** A unique id per test file: topic prefix, consumer groups, Redis keys, device ids. */
export const uniqueId = (label: string): string => `${label}-${randomBytes(4).toString('hex')}`;

/** Settings for in-process apps: the real local stack, isolated by a unique topic prefix, random ports. */
export function testSettings(id: string, env: Record<string, string> = {}): Settings {
  return loadConfig({
    VIGIL_TOPIC_PREFIX: `${id}.`,
    VIGIL_MQTT_SHARE_GROUP: id.replace(/[^A-Za-z0-9_-]/g, '_'),
    VIGIL_ALERTS_INSTANCE: id,
    VIGIL_INGEST_INSTANCE: id,
    VIGIL_INGEST_PORT: '0',
    VIGIL_SCORER_PORT: '0',
    VIGIL_ALERTS_PORT: '0',
    VIGIL_JWT_SECRET: `secret-${id}`,
    VIGIL_LOG_LEVEL: 'warn',
    // Each test has topics of its own: starting new groups at the beginning removes the race
    // between a consumer's first offset lookup and the test's first record.
    VIGIL_NEW_GROUPS_FROM: 'earliest',
    ...env,
  });
}

export interface RunningApp {
  readonly app: INestApplication;
  readonly port: number;
  readonly url: string;
}

/** Boots an app module in this process on a random port, with shutdown hooks like production. */
export async function startApp(
  module: DynamicModule,
  beforeListen?: (app: INestApplication) => void,
): Promise<RunningApp> {
  const app = await NestFactory.create(module, { logger: ['error', 'warn'] });
  configureModuleApp(app, module); // as bootstrapApp does
  applySecurityHeaders(app);
  beforeListen?.(app);
  try {
    await app.listen(0, '127.0.0.1');
    const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    // Ready when every dependency is: consumers report up only once their group assigned them partitions.
    await waitFor(`${url}/health`, async () => (await fetch(`${url}/health`)).ok);
    return { app, port, url };
  } catch (error) {
    await app.close(); // a half-started app would keep consumers (and jest) running
    throw error;
  }
}

/** Polls `check` until it returns a value (not undefined/false) or the timeout passes. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A WebSocket client that records every message it receives. */
export class RecordingSocket {
  readonly messages: ServerMessage[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) =>
      this.messages.push(JSON.parse(data.toString('utf8')) as ServerMessage),
    );
  }

  /** With a token, it goes in the Authorization header (never in the URL). */
  static async connect(url: string, token?: string): Promise<RecordingSocket> {
    const socket = new WebSocket(
      url,
      token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
    );
    const client = new RecordingSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  of<K extends keyof ServerEvents>(type: K): ServerEvents[K][] {
    return this.messages.filter((m) => m.type === type).map((m) => m.data as ServerEvents[K]);
  }

  close(): void {
    this.socket.close();
  }
}

/** A plain kafkajs client for tests to produce and read topics directly. */
export function testKafka(): Kafka {
  return new Kafka({ clientId: 'vigil-test', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
}

/** Reads every record of a (prefixed) topic from the beginning until `until` is satisfied. */
export async function readTopic<T>(
  settings: Settings,
  topic: TopicName,
  until: (records: T[]) => boolean,
  timeoutMs = 30_000,
): Promise<T[]> {
  const consumer = testKafka().consumer({ groupId: uniqueId(`${settings.topicPrefix}reader`) });
  const records: T[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: physicalTopic(settings.topicPrefix, topic), fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        if (message.value) records.push(JSON.parse(message.value.toString()) as T);
        return Promise.resolve();
      },
    });
    await waitFor(`records on ${topic}`, () => until(records), timeoutMs);
    return records;
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Deletes what a test file left under its prefix: its ingest instance's MQTT sessions (else the
 * shared broker keeps queueing every later test's telemetry for them, up to its 1M-message bound,
 * and its 30 s autosave of that queue stalls it), then topics, consumer groups, Redis keys.
 */
export async function deleteTopics(settings: Settings): Promise<void> {
  // A spec whose broker is already gone (a private or TLS one) has no session left to end.
  await expireIngestSessions(settings).catch(() => undefined);
  await removePrefixedState(settings);
}
export { fhirSchemaErrors } from './fhir-schema';
export { OTLP_SPAN_KIND, OtlpReceiver, type ReceivedSpan } from './otlp-receiver';
