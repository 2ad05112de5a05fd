import { connectAsync, type MqttClient } from 'mqtt';
import { type AlertView, type DeadLetter, telemetryTopic, TOPICS } from '@vigil/contracts';
import { signToken } from '@vigil/alerting';
import { AlertsModule } from '@vigil/alerts';
import { IngestModule, serveOpenApi } from '@vigil/ingest';
import { openRegistry } from '@vigil/registry';
import { ScorerModule } from '@vigil/scorer';
import { telemetryPayload, VitalsSimulator } from '@vigil/simulator';
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
 * The whole spine on the real services: a simulated device publishes a desaturation episode over
 * MQTT (Mosquitto) → ingest → Kafka vitals.samples → scorer → Kafka alerts.events → alerts app →
 * a clinician's WebSocket. And a malformed payload ends in vitals.deadletter with its reason.
 */
describe('end to end: device → clinician (real Mosquitto, Kafka, Redis)', () => {
  const id = uniqueId('e2e');
  const settings = testSettings(id);
  const deviceId = `${id}-dev`;
  const patientId = `${id}-pat`;
  const apps: RunningApp[] = [];
  let device: MqttClient | undefined;
  let nurse: RecordingSocket | undefined;

  beforeAll(async () => {
    const { registry, close } = await openRegistry(settings);
    try {
      const enrolled = await registry.enrol(deviceId, patientId, { careTeams: ['team-e2e'] });
      expect(enrolled.ok).toBe(true);
    } finally {
      await close();
    }
    apps.push(await startApp(AlertsModule.forRoot(settings)));
    apps.push(await startApp(ScorerModule.forRoot(settings)));
    apps.push(await startApp(IngestModule.forRoot(settings), serveOpenApi));
    device = await connectAsync(settings.mqttUrl, {
      protocolVersion: 5,
      clientId: deviceId,
      username: deviceId,
      reconnectPeriod: 0,
    });
  }, 90_000);

  afterAll(async () => {
    nurse?.close();
    await device?.endAsync();
    for (const a of apps.reverse()) await a.app.close();
    await deleteTopics(settings);
  }, 60_000);

  it('alerts the patient’s care team over WebSocket when the device reports a desaturation', async () => {
    const alertsApp = apps[0];
    const token = signToken(
      { sub: 'nurse-e2e', role: 'clinician', teams: ['team-e2e'] },
      settings.jwtSecret as string,
    );
    const socket = (nurse = await RecordingSocket.connect(`ws://127.0.0.1:${alertsApp.port}/ws`, token));
    await waitFor('hello', () => socket.of('hello').length === 1);

    // Six minutes of one simulated patient, SpO2 falling from minute 3, published as fast as the broker takes it.
    const startMs = Math.floor(Date.now() / 1000) * 1000 - 6 * 60_000;
    const sim = new VitalsSimulator({
      seed: 11,
      patients: 1,
      startMs,
      episodes: [
        {
          patientId: 'pat-0001',
          type: 'desaturation',
          start: startMs + 180_000,
          end: startMs + 360_000,
          severity: 1,
        },
      ],
    });
    for (let s = 0; s < 360; s++) {
      const readings = sim.tick();
      await (device as MqttClient).publishAsync(telemetryTopic(deviceId), telemetryPayload(readings), {
        qos: 1,
      });
    }

    const alert = await waitFor(
      'a clinical SpO2 alert on the clinician’s socket',
      () => socket.of('alert').find((a: AlertView) => a.kind === 'clinical' && a.vitals.includes('spo2')),
      60_000,
    );
    expect(alert).toMatchObject({ patientId, status: 'open' });
    expect(['medium', 'high']).toContain(alert.severity);
    expect(alert.reason).toMatch(/SpO2 \d+ %/);
    expect(alert.startedAt).toBeGreaterThanOrEqual(startMs + 180_000);
  }, 120_000);

  it('dead-letters a malformed payload with its reason, and keeps going', async () => {
    await (device as MqttClient).publishAsync(telemetryTopic(deviceId), '{"ts": 1, "seq": ', { qos: 1 });
    const letters = await readTopic<DeadLetter>(settings, TOPICS.deadLetter, (r) =>
      r.some((d) => d.deviceId === deviceId),
    );
    const letter = letters.find((d) => d.deviceId === deviceId) as DeadLetter;
    expect(letter).toMatchObject({
      reason: 'malformed_json',
      payload: '{"ts": 1, "seq": ',
      mqttTopic: telemetryTopic(deviceId),
    });
    expect(letter.message.length).toBeGreaterThan(0);
    const health = await fetch(`${apps[2].url}/health`);
    expect(health.status).toBe(200);
  }, 60_000);
});
