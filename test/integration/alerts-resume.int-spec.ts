import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Producer } from 'kafkajs';
import WebSocket from 'ws';
import {
  type AlertEvent,
  type AlertState,
  type RegistryEvent,
  type ServerEvents,
  type ServerMessage,
  TOPICS,
  type TopicName,
} from '@vigil/contracts';
import { compareEventIds, signToken } from '@vigil/alerting';
import { createRedis, physicalTopic } from '@vigil/infra';
import { deleteTopics, testKafka, testSettings, uniqueId, waitFor } from '@vigil/testing';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** A browser-like client: authenticates with its first message, optionally with its last event id. */
class FeedClient {
  readonly messages: ServerMessage[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) =>
      this.messages.push(JSON.parse(data.toString('utf8')) as ServerMessage),
    );
  }

  static async connect(url: string, token: string, lastEventId?: string): Promise<FeedClient> {
    const socket = new WebSocket(url);
    const client = new FeedClient(socket);
    await new Promise<void>(
      (resolve, reject) => (socket.once('open', () => resolve()), socket.once('error', reject)),
    );
    socket.send(JSON.stringify({ type: 'auth', data: { token, ...(lastEventId ? { lastEventId } : {}) } }));
    await waitFor('hello', () => client.of('hello').length === 1);
    return client;
  }

  of<K extends keyof ServerEvents>(type: K): ServerEvents[K][] {
    return this.messages.filter((m) => m.type === type).map((m) => m.data as ServerEvents[K]);
  }

  /** Alert events after the hello, as `alertId:status`. */
  alerts(): string[] {
    return this.of('alert').map((a) => `${a.alertId}:${a.status}`);
  }

  /** The newest id it got: the last event's, or its hello's position. */
  cursor(): string | null {
    const ids = [...this.of('alert'), ...this.of('silence')].map((e) => e.eventId);
    return ids.sort(compareEventIds).at(-1) ?? this.of('hello')[0]?.lastEventId ?? null;
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => (this.socket.once('close', () => resolve()), this.socket.close()));
  }
}

/**
 * Reconnecting resumes from the last event id: a clinician's page disconnects, alerts are raised
 * AND resolved meanwhile, the gateway process restarts, and the page reconnects with the last id it
 * got — it is sent exactly the events it missed, once each, in order (only its patients'), then
 * live ones. When the feed cannot tell what came after the cursor (unknown, trimmed past, Redis
 * emptied) the hello is a snapshot and says why. Real gateway process, Kafka and Redis.
 */
describe('alerts gateway: resume by last event id (real process, Kafka, Redis)', () => {
  const id = uniqueId('it-resume');
  const settings = testSettings(id);
  const ours = `${id}-pat-a`;
  const theirs = `${id}-pat-b`;
  const children: ChildProcess[] = [];
  const clients: FeedClient[] = [];
  const redis = createRedis(settings);
  let port: number;
  let producer: Producer;
  const nurse = signToken(
    { sub: 'nurse-a', role: 'clinician', teams: ['team-a'] },
    settings.jwtSecret as string,
  );
  const admin = signToken({ sub: 'admin', role: 'admin', teams: [] }, settings.jwtSecret as string);
  const wsUrl = () => `ws://127.0.0.1:${port}/ws`;

  const healthy = async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok === true;
  const start = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, [join(__dirname, 'app-process.js'), 'alerts'], {
      env: {
        ...process.env,
        VIGIL_TOPIC_PREFIX: settings.topicPrefix,
        VIGIL_ALERTS_INSTANCE: settings.alertsInstance,
        VIGIL_ALERTS_PORT: String(port),
        VIGIL_JWT_SECRET: settings.jwtSecret as string,
        VIGIL_NEW_GROUPS_FROM: 'earliest',
        VIGIL_LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    await waitFor('the gateway healthy', healthy, 90_000);
    return child;
  };
  const stop = async (child: ChildProcess) => {
    const exited = new Promise<void>((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
    );
    child.kill('SIGTERM');
    await exited;
  };
  const connect = async (token: string, lastEventId?: string) => {
    const c = await FeedClient.connect(wsUrl(), token, lastEventId);
    clients.push(c);
    return c;
  };
  const send = async <T extends TopicName>(topic: T, key: string, value: unknown) => {
    await producer.send({
      topic: physicalTopic(settings.topicPrefix, topic),
      acks: -1,
      messages: [{ key, value: JSON.stringify(value) }],
    });
  };
  const event = (patientId: string, alertId: string, state: AlertState): AlertEvent => ({
    v: 1,
    alertId,
    patientId,
    kind: 'clinical',
    state,
    severity: 'medium',
    reason: state === 'resolved' ? 'ok' : 'SpO2 88 % (usual 97 %)',
    vitals: ['spo2'],
    evidence: [],
    startedAt: Date.now() + 3_600_000, // "in the future": not escalated while the test runs
    at: Date.now() + 3_600_000,
  });
  const openOnRest = async (): Promise<string[]> => {
    const res = await fetch(`http://127.0.0.1:${port}/alerts`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    return res.ok ? ((await res.json()) as { alertId: string }[]).map((a) => a.alertId).sort() : [];
  };
  const a = (n: number) => `${id}-a${n}`;

  let gateway: ChildProcess;
  let cursor: string;

  beforeAll(async () => {
    port = await freePort();
    producer = testKafka().producer();
    await producer.connect();
    gateway = await start();
    for (const [patientId, team] of [
      [ours, 'team-a'],
      [theirs, 'team-b'],
    ] as const) {
      const careTeams: RegistryEvent = {
        type: 'patient.care-teams',
        patientId,
        careTeams: [team],
        at: Date.now(),
      };
      await send(TOPICS.registryChanges, `patient:${patientId}`, careTeams);
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await producer?.disconnect();
    const keys = await redis.keys(`${settings.topicPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await deleteTopics(settings);
  }, 60_000);

  it('replays exactly what a page missed while away and the gateway restarted, once each, in order, then live ones', async () => {
    const first = await connect(nurse);
    expect(first.of('hello')[0]).toMatchObject({ feed: 'snapshot', reason: 'no-cursor' });
    await send(TOPICS.alerts, ours, event(ours, a(1), 'raised'));
    await waitFor('a1 pushed', () => first.alerts().includes(`${a(1)}:open`));
    cursor = first.cursor() as string;
    expect(cursor).toBe(first.of('alert')[0]?.eventId);
    await first.close();

    // While away: a2 raised and resolved, a3 raised; another team's alert; then the gateway restarts.
    await send(TOPICS.alerts, ours, event(ours, a(2), 'raised'));
    await send(TOPICS.alerts, theirs, event(theirs, `${id}-b1`, 'raised'));
    await send(TOPICS.alerts, ours, event(ours, a(2), 'resolved'));
    await send(TOPICS.alerts, ours, event(ours, a(3), 'raised'));
    await waitFor(
      'all applied',
      async () => (await openOnRest()).join() === [a(1), a(3), `${id}-b1`].sort().join(),
    );
    await stop(gateway);
    gateway = await start();

    const back = await connect(nurse, cursor);
    expect(back.of('hello')[0]).toMatchObject({ feed: 'replay' });
    expect(back.of('hello')[0]?.reason).toBeUndefined();
    const missed = [`${a(2)}:open`, `${a(2)}:resolved`, `${a(3)}:open`];
    await waitFor('the missed events', () => back.alerts().length >= missed.length);
    await send(TOPICS.alerts, ours, event(ours, a(4), 'raised'));
    await waitFor('a live one', () => back.alerts().includes(`${a(4)}:open`));
    await new Promise((resolve) => setTimeout(resolve, 500)); // anything repeated would arrive by now
    expect(back.alerts()).toEqual([...missed, `${a(4)}:open`]); // once each, in order, not b1, not a1 again
    const ids = back.of('alert').map((e) => e.eventId);
    expect([...ids].sort(compareEventIds)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(compareEventIds(ids[0], cursor)).toBe(1);
    cursor = back.cursor() as string;
    await back.close();
  }, 240_000);

  it('sends a snapshot, saying why, for no cursor, an unknown one, and one the stream no longer keeps', async () => {
    const none = await connect(nurse);
    expect(none.of('hello')[0]).toMatchObject({ feed: 'snapshot', reason: 'no-cursor' });
    // (The Nest gateway's adapter still answers what it cannot handle, never echoing it.)
    none.socket.send('{"type": <script>');
    none.socket.send(JSON.stringify({ type: '<script>', data: {} }));
    const errors = await waitFor(
      'two error replies',
      () => none.of('error').length === 2 && none.of('error'),
    );
    expect(errors[0]?.message).toBe('expected JSON');
    expect(errors[1]?.message).toMatch(/^expected \{"type":"auth"\|"ack"\|/);
    expect(JSON.stringify(errors)).not.toContain('script');
    expect(
      none
        .of('hello')[0]
        ?.openAlerts.map((x) => x.alertId)
        .sort(),
    ).toEqual([a(1), a(3), a(4)]);
    expect(none.of('hello')[0]?.lastEventId).toEqual(expect.stringMatching(/^\d+-\d+$/));
    for (const unknown of ['99999999999999-0', 'not-an-id']) {
      const c = await connect(nurse, unknown);
      expect(c.of('hello')[0]).toMatchObject({ feed: 'snapshot', reason: 'unknown-cursor' });
      expect(c.of('alert')).toEqual([]);
    }
    // Trimmed past the cursor (as MAXLEN ~ would, much later): a snapshot, not a replay with a hole.
    await send(TOPICS.alerts, ours, event(ours, a(5), 'raised'));
    await waitFor('a5 applied', async () => (await openOnRest()).includes(a(5)));
    await redis.xtrim(`${settings.topicPrefix}vigil:feed`, 'MAXLEN', 1);
    const trimmed = await connect(nurse, cursor);
    expect(trimmed.of('hello')[0]).toMatchObject({ feed: 'snapshot', reason: 'cursor-expired' });
    expect(
      trimmed
        .of('hello')[0]
        ?.openAlerts.map((x) => x.alertId)
        .sort(),
    ).toEqual([a(1), a(3), a(4), a(5)]);
    cursor = trimmed.of('hello')[0]?.lastEventId as string;
  }, 120_000);

  it('sends a snapshot after Redis was emptied (the state is rebuilt from Kafka; the feed cannot tell)', async () => {
    const keys = await redis.keys(`${settings.topicPrefix}*`);
    await redis.del(...keys); // what FLUSHALL does to this test's state, without touching others'
    await waitFor('the state rebuilt', async () => (await openOnRest()).length === 5, 60_000);
    const c = await connect(nurse, cursor);
    expect(c.of('hello')[0]).toMatchObject({ feed: 'snapshot', reason: 'feed-reset' });
    expect(
      c
        .of('hello')[0]
        ?.openAlerts.map((x) => x.alertId)
        .sort(),
    ).toEqual([a(1), a(3), a(4), a(5)]);
    // And it is live again, with a cursor it can resume from.
    await send(TOPICS.alerts, ours, event(ours, a(6), 'raised'));
    await waitFor('a6 pushed', () => c.alerts().includes(`${a(6)}:open`));
    const after = c.cursor() as string;
    await c.close();
    const resumed = await connect(nurse, after);
    expect(resumed.of('hello')[0]).toMatchObject({ feed: 'replay' });
  }, 120_000);
});
