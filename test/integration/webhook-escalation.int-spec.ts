import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Settings } from '@vigil/config';
import {
  type AlertEvent,
  type RegistryEvent,
  TOPICS,
  type WebhookDeadLetter,
  type WindowScore,
} from '@vigil/contracts';
import {
  type FhirBundle,
  type Role,
  signToken,
  verifyWebhookSignature,
  type WebhookNotification,
} from '@vigil/alerting';
import { KafkaConnection } from '@vigil/infra';
import { AlertsModule } from '@vigil/alerts';
import {
  deleteTopics,
  fhirSchemaErrors,
  readTopic,
  type RunningApp,
  startApp,
  testKafka,
  testSettings,
  uniqueId,
  waitFor,
} from '@vigil/testing';

interface Received {
  readonly key: string;
  readonly signed: boolean;
  readonly answered: number;
  readonly body: WebhookNotification;
}

/**
 * Out to the hospital, on the real Kafka and Redis with a real HTTP receiver: each new high alert
 * and each step of its escalation chain (high: 2 s → on-call, 6 s → charge nurse here) reaches the
 * receiver signed and exactly once, also when the gateway that escalated step 1 restarts before
 * step 2 falls due and a second gateway joins; failures are retried with back-off and, after the
 * last attempt, dead-lettered. The FHIR API serves the same alerts and the vitals, valid R4, with
 * care-team authorisation.
 */
describe('escalations to a webhook, exactly once across a gateway restart; FHIR API (real Kafka, Redis)', () => {
  const id = uniqueId('it-hook');
  const secret = `hook-${id}`;
  const received: Received[] = [];
  /** Alert ids whose first n deliveries the receiver refuses (503), and ones it always refuses. */
  const failFirst = new Map<string, number>();
  const alwaysFail = new Set<string>();
  let receiver: Server;
  let settings: Settings;
  const gateways: RunningApp[] = [];

  const settingsOf = (instance: string) =>
    testSettings(id, {
      VIGIL_ALERTS_INSTANCE: instance,
      VIGIL_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/pager`,
      VIGIL_WEBHOOK_SECRET: secret,
      VIGIL_WEBHOOK_MAX_ATTEMPTS: '3',
      VIGIL_WEBHOOK_RETRY_MS: '100',
      VIGIL_ESCALATION_HIGH: '2:oncall,6:charge-nurse',
      VIGIL_ESCALATION_MEDIUM: '',
      VIGIL_ESCALATION_LOW: '',
    });
  const start = async (instance: string) => {
    const gateway = await startApp(AlertsModule.forRoot(settingsOf(instance)));
    gateways.push(gateway);
    return gateway;
  };
  const stop = async (gateway: RunningApp) => {
    await gateway.app.close();
    gateways.splice(gateways.indexOf(gateway), 1);
  };

  const raise = async (gateway: RunningApp, alertId: string, patientId: string) => {
    const event: AlertEvent = {
      v: 1,
      alertId,
      patientId,
      kind: 'clinical',
      state: 'raised',
      severity: 'high',
      reason: 'SpO2 85 % (usual 96 %) for 1 min',
      vitals: ['spo2'],
      evidence: [{ source: 'limit', vital: 'spo2', value: 85, usual: 96, score: 1 }],
      startedAt: Date.now() - 60_000,
      at: Date.now(),
    };
    await gateway.app.get(KafkaConnection).send(TOPICS.alerts, [{ key: patientId, value: event }]);
  };
  const deliveredFor = (alertId: string) =>
    received.filter((r) => r.body.alert.alertId === alertId && r.answered === 200);
  const steps = (alertId: string) =>
    deliveredFor(alertId).map((r) => `${r.body.type}${r.body.alert.step ? `:${r.body.alert.step}` : ''}`);

  /** Every audit record has been settled by the shared webhook group (committed up to the end). */
  const webhookCaughtUp = async (gateway: RunningApp) => {
    const kafka = gateway.app.get(KafkaConnection);
    const topic = kafka.topic(TOPICS.audit);
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({
        groupId: kafka.group('alerts-webhook'),
        topics: [topic],
      });
      return ends.every((end) => {
        const at = committed.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        return end.offset === '0' || Number(at) >= Number(end.offset);
      });
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const body = JSON.parse(raw) as WebhookNotification;
        const signed = verifyWebhookSignature(
          raw,
          {
            signature: req.headers['x-vigil-signature'] as string | undefined,
            timestamp: req.headers['x-vigil-timestamp'] as string | undefined,
          },
          secret,
          Date.now(),
        );
        const left = failFirst.get(body.alert.alertId) ?? 0;
        if (left > 0) failFirst.set(body.alert.alertId, left - 1);
        const answered = !signed ? 401 : alwaysFail.has(body.alert.alertId) ? 500 : left > 0 ? 503 : 200;
        received.push({ key: req.headers['idempotency-key'] as string, signed, answered, body });
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    settings = settingsOf(`${id}-a`);
  });

  afterAll(async () => {
    for (const gateway of [...gateways]) await gateway.app.close();
    await new Promise((resolve) => receiver.close(resolve));
    await deleteTopics(settings);
  }, 60_000);

  it('sends the new high alert and each chain step once, signed, across a restart and a second gateway', async () => {
    const alertId = `${id}-p1.clinical.1`;
    let a = await start(`${id}-a`);
    await raise(a, alertId, `${id}-p1`);
    await waitFor('the alert and step 1 (on-call) at the receiver', () =>
      steps(alertId).includes('alert.escalated:1'),
    );
    // The gateway that took step 1 restarts before step 2 is due; a second gateway joins.
    await stop(a);
    a = await start(`${id}-a`);
    await start(`${id}-b`);
    await waitFor('step 2 (charge nurse)', () => steps(alertId).includes('alert.escalated:2'), 30_000);
    await waitFor('every audit record settled by the webhook group', () => webhookCaughtUp(a));

    expect(steps(alertId)).toEqual(['alert.raised', 'alert.escalated:1', 'alert.escalated:2']);
    const mine = received.filter((r) => r.body.alert.alertId === alertId);
    expect(mine.every((r) => r.signed && r.key === r.body.id)).toBe(true);
    expect(new Set(mine.map((r) => r.key)).size).toBe(mine.length); // no key twice
    expect(mine.map((r) => r.body.alert.target)).toEqual([null, 'oncall', 'charge-nurse']);
    for (const r of mine) {
      expect(fhirSchemaErrors(r.body.fhir.communication)).toEqual([]);
      expect(fhirSchemaErrors(r.body.fhir.detectedIssue)).toEqual([]);
    }
  }, 90_000);

  it('retries a failing receiver with back-off and dead-letters after the last attempt', async () => {
    const flaky = `${id}-p2.clinical.1`;
    const down = `${id}-p3.clinical.1`;
    failFirst.set(flaky, 2);
    alwaysFail.add(down);
    await raise(gateways[0], flaky, `${id}-p2`);
    await raise(gateways[0], down, `${id}-p3`);

    await waitFor('the flaky receiver took it at the third attempt', () =>
      steps(flaky).includes('alert.raised'),
    );
    const flakyRaised = received.filter(
      (r) => r.body.alert.alertId === flaky && r.body.type === 'alert.raised',
    );
    expect(flakyRaised.map((r) => r.answered)).toEqual([503, 503, 200]);
    expect(new Set(flakyRaised.map((r) => r.key)).size).toBe(1); // one idempotency key for all attempts

    const dead = await readTopic<WebhookDeadLetter>(settings, TOPICS.webhookDeadLetter, (records) =>
      records.some((d) => d.alertId === down && d.type === 'alert.raised'),
    );
    const raisedDead = dead.find((d) => d.alertId === down && d.type === 'alert.raised') as WebhookDeadLetter;
    expect(raisedDead).toMatchObject({ attempts: 3, lastError: 'HTTP 500', patientId: `${id}-p3` });
    expect((JSON.parse(raisedDead.body) as WebhookNotification).id).toBe(raisedDead.id);
    expect(
      received.filter((r) => r.body.alert.alertId === down && r.body.type === 'alert.raised').length,
    ).toBe(3);
  }, 90_000);

  it('serves alerts and recent vitals as FHIR R4 (valid), to the patient’s care team only', async () => {
    const gateway = gateways[0];
    const patientId = `${id}-p1`;
    const kafka = gateway.app.get(KafkaConnection);
    const teams: RegistryEvent = {
      type: 'patient.care-teams',
      patientId,
      careTeams: ['team-a'],
      at: Date.now(),
    };
    await kafka.send(TOPICS.registryChanges, [{ key: `patient:${patientId}`, value: teams }]);
    const score: WindowScore = {
      v: 1,
      patientId,
      at: Date.now(),
      news2: 5,
      model: null,
      contributions: null,
      latest: { hr: 104, spo2: 86, rr: 22, temp: 37.4 },
      usual: { hr: 70, spo2: 96 },
      deviation: 4,
      context: { activity: 'rest', night: false },
    };
    await kafka.send(TOPICS.scores, [{ key: patientId, value: score }]);
    const token = (role: Role, t: string[]) =>
      signToken({ sub: `${role}-1`, role, teams: t }, settings.jwtSecret as string);
    const get = (path: string, bearer: string) =>
      fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${bearer}` } });

    const bundle = await waitFor('the vitals as Observations', async () => {
      const response = await get(`/fhir/Observation?patient=${patientId}`, token('clinician', ['team-a']));
      if (response.status !== 200) return false;
      const b = (await response.json()) as FhirBundle;
      return b.total === 4 ? { b, type: response.headers.get('content-type') } : false;
    });
    expect(bundle.type).toMatch(/^application\/fhir\+json/);
    expect(fhirSchemaErrors(bundle.b)).toEqual([]);
    expect(
      bundle.b.entry.map((e) => (e.resource.code as { coding: { code: string }[] }).coding[0].code),
    ).toEqual(['8867-4', '59408-5', '9279-1', '8310-5']);
    expect((await get(`/fhir/Observation?patient=${patientId}`, token('clinician', ['team-b']))).status).toBe(
      403,
    );
    expect((await get('/fhir/Observation', token('oncall', []))).status).toBe(400);
    expect((await fetch(`${gateway.url}/fhir/DetectedIssue`)).status).toBe(401);

    const issues = (await (await get('/fhir/DetectedIssue', token('oncall', []))).json()) as FhirBundle;
    expect(fhirSchemaErrors(issues)).toEqual([]);
    const ids = issues.entry.map((e) => e.resource.id);
    expect(ids).toEqual(expect.arrayContaining([`${id}-p1.clinical.1`, `${id}-p2.clinical.1`]));
    const forTeamB = (await (
      await get('/fhir/DetectedIssue', token('clinician', ['team-b']))
    ).json()) as FhirBundle;
    expect(forTeamB.total).toBe(0);
    const one = await get(`/fhir/DetectedIssue/${id}-p1.clinical.1`, token('clinician', ['team-a']));
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({
      resourceType: 'DetectedIssue',
      status: 'preliminary',
      severity: 'high',
    });
  }, 60_000);
});
