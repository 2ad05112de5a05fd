import Redis from 'ioredis';
import { signToken } from '@vigil/alerting';
import { AlertsModule } from '@vigil/alerts';
import { type AlertEvent, TOPICS, type WindowScore } from '@vigil/contracts';
import { KafkaConnection } from '@vigil/infra';
import {
  deleteTopics,
  readTopic,
  RecordingSocket,
  type RunningApp,
  startApp,
  testSettings,
  uniqueId,
  waitFor,
} from '@vigil/testing';

/**
 * A device goes silent: the gateway raises a technical "no data" alert after VIGIL_NO_DATA_SECONDS
 * (through alerts.events, like any detector's), and resolves it when data comes back.
 */
describe('no-data technical alert (real Kafka, Redis)', () => {
  const id = uniqueId('it-nodata');
  const settings = testSettings(id, { VIGIL_NO_DATA_SECONDS: '10' });
  const redis = new Redis(settings.redisUrl);
  let alerts: RunningApp;
  let socket: RecordingSocket | undefined;

  beforeAll(async () => {
    alerts = await startApp(AlertsModule.forRoot(settings));
  }, 60_000);

  afterAll(async () => {
    socket?.close();
    await alerts?.app.close();
    const keys = await redis.keys(`${settings.topicPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await deleteTopics(settings);
  }, 60_000);

  it('raises it once for a patient whose windows stopped, and resolves it when they come back', async () => {
    const patientId = `${id}-pat`;
    const kafka = alerts.app.get(KafkaConnection);
    const score = (at: number): WindowScore => ({
      v: 1,
      patientId,
      at,
      news2: 0,
      model: null,
      contributions: null,
      latest: { hr: 80, spo2: 97 },
      usual: { hr: 78, spo2: 97 },
      deviation: 0.3,
      context: { activity: 'rest', night: false },
    });
    const s = (socket = await RecordingSocket.connect(
      `ws://127.0.0.1:${alerts.port}/ws`,
      signToken({ sub: 'oncall-1', role: 'oncall', teams: [] }, settings.jwtSecret as string),
    ));
    await waitFor('hello', () => s.of('hello').length === 1);
    const last = Date.now() - 1000;
    await kafka.send(TOPICS.scores, [{ key: patientId, value: score(last) }]);

    const raised = await waitFor('the no-data alert', () =>
      s.of('alert').find((a) => a.patientId === patientId && a.kind === 'technical'),
    );
    expect(raised).toMatchObject({
      alertId: `${patientId}:no-data:${last}`,
      status: 'open',
      severity: 'medium',
    });
    expect(raised.reason).toContain('No data from the device');

    await kafka.send(TOPICS.scores, [{ key: patientId, value: score(Date.now()) }]);
    await waitFor('the no-data alert resolved', () =>
      s.of('alert').some((a) => a.alertId === raised.alertId && a.status === 'resolved'),
    );
    const events = await readTopic<AlertEvent>(settings, TOPICS.alerts, (r) => r.length >= 2);
    expect(events.map((e) => [e.alertId, e.state])).toEqual([
      [raised.alertId, 'raised'],
      [raised.alertId, 'resolved'],
    ]);
  }, 60_000);
});
