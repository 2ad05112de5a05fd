import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Producer } from 'kafkajs';
import {
  type AlertEvent,
  type AlertView,
  type RegistryEvent,
  TOPICS,
  type TopicName,
} from '@vigil/contracts';
import { signToken } from '@vigil/alerting';
import { physicalTopic } from '@vigil/infra';
import { deleteTopics, RecordingSocket, testKafka, testSettings, uniqueId, waitFor } from '@vigil/testing';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/**
 * The alerts gateway process (apps/alerts/src/main.ts) is SIGKILLed — it leaves its consumer groups
 * without a word — and started again at once under the same instance name. Its care-team projection
 * must rebuild from registry.changes although the dead member still sits in the gateway's group, so
 * a team clinician's REST /alerts and WebSocket get their alerts again (before: [] for 13 minutes).
 */
describe('alerts gateway killed and restarted (real process, SIGKILL; real Kafka, Redis)', () => {
  const id = uniqueId('it-gwkill');
  const settings = testSettings(id);
  const patientId = `${id}-pat`;
  const children: ChildProcess[] = [];
  const sockets: RecordingSocket[] = [];
  let port: number;
  let producer: Producer;
  const nurse = signToken(
    { sub: 'nurse-a', role: 'clinician', teams: ['team-a'] },
    settings.jwtSecret as string,
  );

  const health = async (): Promise<{ ok: boolean; checks: Record<string, string> } | null> => {
    const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => null);
    if (!res) return null;
    return { ok: res.ok, ...((await res.json()) as { checks: Record<string, string> }) };
  };
  const start = (): ChildProcess => {
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
    return child;
  };
  const send = async <T extends TopicName>(topic: T, key: string, value: unknown) => {
    await producer.send({
      topic: physicalTopic(settings.topicPrefix, topic),
      acks: -1,
      messages: [{ key, value: JSON.stringify(value) }],
    });
  };
  const raised = (alertId: string): AlertEvent => ({
    v: 1,
    alertId,
    patientId,
    kind: 'clinical',
    state: 'raised',
    severity: 'medium',
    reason: 'SpO2 88 % (usual 97 %)',
    vitals: ['spo2'],
    evidence: [],
    startedAt: Date.now() + 3_600_000, // measured "in the future": not escalated while the test runs
    at: Date.now() + 3_600_000,
  });
  const restAlerts = async (): Promise<string[]> => {
    const res = await fetch(`http://127.0.0.1:${port}/alerts`, {
      headers: { authorization: `Bearer ${nurse}` },
    });
    return ((await res.json()) as AlertView[]).map((a) => a.alertId);
  };

  beforeAll(async () => {
    port = await freePort();
    producer = testKafka().producer();
    await producer.connect();
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await producer?.disconnect();
    await deleteTopics(settings);
  }, 60_000);

  it('serves a team clinician their alerts over REST and WebSocket right after a SIGKILL and an immediate restart', async () => {
    const first = start();
    await waitFor('the first gateway healthy', async () => (await health())?.ok === true, 60_000);
    const careTeams: RegistryEvent = {
      type: 'patient.care-teams',
      patientId,
      careTeams: ['team-a'],
      at: Date.now(),
    };
    await send(TOPICS.registryChanges, `patient:${patientId}`, careTeams);
    await send(TOPICS.alerts, patientId, raised(`${id}-before`));
    await waitFor('the alert on REST for team-a', async () => (await restAlerts()).includes(`${id}-before`));

    first.kill('SIGKILL');
    await new Promise<void>((resolve) =>
      first.exitCode !== null || first.signalCode !== null ? resolve() : first.once('exit', () => resolve()),
    );
    const restartedAt = Date.now();
    start(); // at once: the dead member is still in the gateway's consumer group

    // The projection reports caught up on its own, while the alert consumer's group may still be
    // waiting for the dead member's session to time out; from then on REST is complete.
    await waitFor(
      'the care-team projection caught up',
      async () => (await health())?.checks['care-teams'] === 'up',
      60_000,
    );
    expect(await restAlerts()).toEqual([`${id}-before`]);

    await waitFor('the restarted gateway healthy', async () => (await health())?.ok === true, 90_000);
    // The alert consumer's group waited for the dead member's session (10 s) or at worst the
    // rebalance timeout (20 s) before assigning the restarted gateway its partitions.
    expect(Date.now() - restartedAt).toBeLessThan(45_000);
    const ws = await RecordingSocket.connect(`ws://127.0.0.1:${port}/ws`, nurse);
    sockets.push(ws);
    const hello = await waitFor('hello', () => ws.of('hello')[0]);
    expect(hello.openAlerts.map((a) => a.alertId)).toEqual([`${id}-before`]);
    await send(TOPICS.alerts, patientId, raised(`${id}-after`));
    await waitFor('the new alert pushed to team-a', () =>
      ws.of('alert').find((a) => a.alertId === `${id}-after`),
    );
  }, 180_000);
});
