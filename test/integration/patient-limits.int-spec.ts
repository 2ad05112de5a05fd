import {
  type AlertEvent,
  type PatientLimitsChange,
  type RegistryEvent,
  TOPICS,
  type VitalSample,
} from '@vigil/contracts';
import { signToken } from '@vigil/alerting';
import { KafkaConnection } from '@vigil/infra';
import { AlertsModule } from '@vigil/alerts';
import { ScorerModule } from '@vigil/scorer';
import {
  deleteTopics,
  readTopic,
  type RunningApp,
  startApp,
  testSettings,
  uniqueId,
  waitFor,
} from '@vigil/testing';

/**
 * A care team sets a patient's limits on the alerts gateway (REST, audited); the change travels by
 * Kafka and the scorer applies it live: SpO2 88 % on NEWS2 scale 2 (a hypercapnic patient's target
 * range) raises nothing, while the same readings on scale 1 alarm.
 */
describe('per-patient limits: REST on the gateway → Kafka → scorer (real Kafka, Redis)', () => {
  const id = uniqueId('it-limits');
  const settings = testSettings(id, { VIGIL_MODEL_DIR: 'none' });
  let scorer: RunningApp;
  let alerts: RunningApp;
  const copd = `${id}-copd`;
  const other = `${id}-other`;

  beforeAll(async () => {
    alerts = await startApp(AlertsModule.forRoot(settings));
    scorer = await startApp(ScorerModule.forRoot(settings));
    const teams = (patientId: string): RegistryEvent => ({
      type: 'patient.care-teams',
      patientId,
      careTeams: ['team-a'],
      at: Date.now(),
    });
    await alerts.app.get(KafkaConnection).send(
      TOPICS.registryChanges,
      [copd, other].map((p) => ({ key: `patient:${p}`, value: teams(p) })),
    );
  }, 60_000);

  afterAll(async () => {
    await scorer?.app.close();
    await alerts?.app.close();
    await deleteTopics(settings);
  }, 60_000);

  const token = (teams: string[]) =>
    signToken({ sub: 'nurse-7', role: 'clinician', teams }, settings.jwtSecret as string);
  const put = (patientId: string, body: unknown, teams = ['team-a']) =>
    fetch(`http://127.0.0.1:${alerts.port}/patients/${patientId}/limits`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token(teams)}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('refuses limits without a reason, out of range, or from outside the care team', async () => {
    const noReason = await put(copd, { limits: { spo2Scale: 2 } });
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(await noReason.json())).toContain('reason');
    const outOfRange = await put(copd, { limits: { spo2Scale: 1, hr: { low: 5 } }, reason: 'athlete' });
    expect(outOfRange.status).toBe(400);
    expect(JSON.stringify(await outOfRange.json())).toContain('hr limits must be between 20 and 300');
    expect((await put(copd, { limits: { spo2Scale: 2 }, reason: 'COPD' }, ['team-b'])).status).toBe(403);
  });

  it('applies a care team’s SpO2 scale 2 live, and records who set it, when and why', async () => {
    const res = await put(copd, { limits: { spo2Scale: 2 }, reason: 'COPD, hypercapnic: target 88–92 %' });
    expect(res.status).toBe(200);
    const change = (await res.json()) as PatientLimitsChange;
    expect(change).toMatchObject({ patientId: copd, by: 'nurse-7', limits: { spo2Scale: 2 } });

    const logged = await readTopic<PatientLimitsChange>(settings, TOPICS.patientLimits, (all) =>
      all.some((c) => c.patientId === copd),
    );
    expect(logged.find((c) => c.patientId === copd)?.reason).toBe('COPD, hypercapnic: target 88–92 %');

    // The scorer has it once its projection is caught up (health says so); then the same readings for both.
    await waitFor('the scorer healthy (limits projection caught up)', async () => {
      const health = await fetch(`http://127.0.0.1:${scorer.port}/health`).catch(() => null);
      return health?.status === 200 ? true : undefined;
    });
    const t0 = Date.now() - 600_000;
    const samples = (patientId: string): VitalSample[] =>
      Array.from({ length: 300 }, (_, s) => ({
        v: 1,
        patientId,
        deviceId: `${patientId}-dev`,
        ts: t0 + s * 1000,
        seq: s,
        receivedAt: Date.now(),
        hr: 80 + (s % 3),
        spo2: 88,
        rr: 16,
      }));
    await scorer.app.get(KafkaConnection).send(
      TOPICS.samples,
      [...samples(copd), ...samples(other)].map((value) => ({ key: value.patientId, value })),
    );
    const events = await readTopic<AlertEvent>(settings, TOPICS.alerts, (all) =>
      all.some((a) => a.patientId === other && a.state === 'raised'),
    );
    expect(events.filter((a) => a.patientId === other && a.kind === 'clinical')[0].reason).toMatch(
      /^SpO2 88 %/,
    );
    const scores = await readTopic<{ patientId: string; news2: number }>(
      settings,
      TOPICS.scores,
      (all) => all.filter((s) => s.patientId === copd).length >= 50,
    );
    expect(scores.filter((s) => s.patientId === copd).at(-1)?.news2).toBe(0);
    expect(events.filter((a) => a.patientId === copd)).toEqual([]);
  }, 90_000);
});
