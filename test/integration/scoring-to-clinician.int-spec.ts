import Redis from 'ioredis';
import { type AlertView, type RegistryEvent, TOPICS, type VitalSample } from '@vigil/contracts';
import { signToken } from '@vigil/alerting';
import { KafkaConnection } from '@vigil/infra';
import { AlertsModule } from '@vigil/alerts';
import { ScorerModule } from '@vigil/scorer';
import {
  deleteTopics,
  RecordingSocket,
  type RunningApp,
  startApp,
  testSettings,
  uniqueId,
  waitFor,
} from '@vigil/testing';

/**
 * Scorer and alerts apps on the real Kafka and Redis: validated samples go in on vitals.samples,
 * the clinician's WebSocket gets the alert, filtered by care team, and the lifecycle holds.
 */
describe('scorer → alerts → clinician (real Kafka, Redis)', () => {
  const id = uniqueId('it-score');
  const settings = testSettings(id);
  let scorer: RunningApp;
  let alerts: RunningApp;
  const redis = new Redis(settings.redisUrl);
  let teamA: RecordingSocket | undefined;
  let teamB: RecordingSocket | undefined;

  beforeAll(async () => {
    alerts = await startApp(AlertsModule.forRoot(settings));
    scorer = await startApp(ScorerModule.forRoot(settings));
  }, 60_000);

  afterAll(async () => {
    teamA?.close();
    teamB?.close();
    await scorer?.app.close();
    await alerts?.app.close();
    const keys = await redis.keys(`${settings.topicPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await deleteTopics(settings);
  }, 60_000);

  const token = (role: 'clinician' | 'oncall', teams: string[]) =>
    signToken({ sub: `${role}-1`, role, teams }, settings.jwtSecret as string);

  it('pushes a desaturation alert to the patient’s care team only, once, and records acknowledgement', async () => {
    const kafka = alerts.app.get(KafkaConnection);
    const patientId = `${id}-pat`;
    const careTeams: RegistryEvent = {
      type: 'patient.care-teams',
      patientId,
      careTeams: ['team-a'],
      at: Date.now(),
    };
    await kafka.send(TOPICS.registryChanges, [{ key: `patient:${patientId}`, value: careTeams }]);

    const a = (teamA = await RecordingSocket.connect(
      `ws://127.0.0.1:${alerts.port}/ws`,
      token('clinician', ['team-a']),
    ));
    const b = (teamB = await RecordingSocket.connect(
      `ws://127.0.0.1:${alerts.port}/ws`,
      token('clinician', ['team-b']),
    ));
    await waitFor('hello messages', () => a.of('hello').length === 1 && b.of('hello').length === 1);

    const t0 = Date.now() - 300_000;
    const samples: VitalSample[] = Array.from({ length: 240 }, (_, s) => ({
      v: 1,
      patientId,
      deviceId: `${id}-dev`,
      ts: t0 + s * 1000,
      seq: s,
      receivedAt: Date.now(),
      hr: 78 + (s % 3),
      spo2: s < 90 ? 97 : 86,
      rr: 15,
      temp: 36.9,
      sbp: 124,
      dbp: 80,
    }));
    await kafka.send(
      TOPICS.samples,
      samples.map((value) => ({ key: patientId, value })),
    );

    const alert = await waitFor('the clinical alert on team-a’s socket', () =>
      a.of('alert').find((a) => a.kind === 'clinical'),
    );
    expect(alert).toMatchObject({ patientId, status: 'open', severity: 'medium', vitals: ['spo2'] });
    expect(alert.reason).toContain('SpO2 86 %');

    // Acknowledge over the socket; the new state comes back through Kafka (alerts.audit).
    a.socket.send(JSON.stringify({ type: 'ack', data: { alertId: alert.alertId } }));
    const acked = await waitFor('the acknowledged state', () =>
      a.of('alert').find((a: AlertView) => a.status === 'acknowledged'),
    );
    expect(acked.acknowledgedBy).toBe('clinician-1');

    const rest = await fetch(`${alerts.url}/alerts`, {
      headers: { authorization: `Bearer ${token('oncall', [])}` },
    });
    expect(rest.status).toBe(200);
    expect(((await rest.json()) as AlertView[]).map((x) => [x.alertId, x.status])).toContainEqual([
      alert.alertId,
      'acknowledged',
    ]);

    expect(b.of('alert')).toEqual([]);
    expect(a.of('alert').filter((x) => x.kind === 'clinical' && x.status === 'open')).toHaveLength(1);
  }, 60_000);

  it('refuses a WebSocket without a valid token, and REST without one', async () => {
    const closed = await new Promise<number>((resolve) => {
      void RecordingSocket.connect(`ws://127.0.0.1:${alerts.port}/ws`, 'forged').then((s) =>
        s.socket.once('close', (code) => resolve(code)),
      );
    });
    expect(closed).toBe(4401);
    expect((await fetch(`${alerts.url}/alerts`)).status).toBe(401);
  });

  it('reports health of each dependency', async () => {
    const res = await fetch(`${scorer.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ok',
      checks: { kafka: 'up', 'kafka-consumer': 'up', 'consumer-lag': 'up', 'patient-limits': 'up' },
      down: [],
    });
  });
});
