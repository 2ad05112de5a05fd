import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { signToken } from '@vigil/alerting';
import { loadConfig } from '@vigil/config';
import { type AlertView, type VitalSample } from '@vigil/contracts';
import { DetectionPipeline, detectionOptionsFrom } from '@vigil/detection';
import { expireIngestSessions } from '@vigil/ingest';
import { pseudonym, removePrefixedState } from '@vigil/infra';
import {
  OTLP_SPAN_KIND,
  OtlpReceiver,
  type ReceivedSpan,
  RecordingSocket,
  testSettings,
  uniqueId,
  waitFor,
} from '@vigil/testing';
import { TestDevice, testRegistry } from './ingest-support';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createTcpServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

/**
 * OpenTelemetry across the real apps, each its own process with tracing on, exporting OTLP/HTTP to a
 * collector inside the test: a device's MQTT message becomes a high SpO2 alert on a clinician's
 * socket and a webhook call, and ONE trace runs from ingest's span of the message that closed the
 * window, through the scorer's span of the alert event, to the gateway's delivery span and its
 * webhook span, each the child of the one before; the webhook request carries the trace on. No
 * span names a patient or device except by its pseudonym.
 */
describe('one trace from a device’s message to the clinician and the webhook (real processes, Kafka, Redis, Mosquitto)', () => {
  const id = uniqueId('it-trace');
  const settings = testSettings(id);
  const secret = settings.jwtSecret as string;
  const patientId = `${id}-pat`;
  const deviceId = `${id}-dev`;
  const children: ChildProcess[] = [];
  let collector: OtlpReceiver | undefined;
  let pager: Server | undefined;
  const paged: { traceparent: string | undefined; alertId: string }[] = [];
  let device: TestDevice | undefined;
  let socket: RecordingSocket | undefined;
  let closeRegistry: (() => Promise<void>) | undefined;

  const start = async (app: 'ingest' | 'scorer' | 'alerts', env: Record<string, string> = {}) => {
    const port = await freePort();
    const portVar = { ingest: 'VIGIL_INGEST_PORT', scorer: 'VIGIL_SCORER_PORT', alerts: 'VIGIL_ALERTS_PORT' }[
      app
    ];
    const child = spawn(process.execPath, [join(__dirname, 'app-process.js'), app], {
      env: {
        ...process.env,
        VIGIL_TOPIC_PREFIX: settings.topicPrefix,
        VIGIL_MQTT_SHARE_GROUP: settings.mqttShareGroup,
        VIGIL_INGEST_INSTANCE: settings.ingestInstance,
        VIGIL_ALERTS_INSTANCE: settings.alertsInstance,
        VIGIL_JWT_SECRET: secret,
        VIGIL_NEW_GROUPS_FROM: 'earliest',
        VIGIL_MODEL_DIR: 'none', // the hard SpO2 limit raises the alert; keeps the processes light
        VIGIL_LOG_LEVEL: 'error',
        VIGIL_OTEL_EXPORTER_OTLP_ENDPOINT: (collector as OtlpReceiver).endpoint,
        VIGIL_OTEL_SAMPLE_RATIO: '1',
        [portVar]: String(port),
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    const url = `http://127.0.0.1:${port}`;
    return { url, port };
  };
  const healthy = (url: string) =>
    waitFor(
      `${url}/health`,
      async () => (await fetch(`${url}/health`).catch(() => null))?.ok === true,
      90_000,
    );

  beforeAll(async () => {
    collector = await OtlpReceiver.start();
    pager = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alert: { alertId: string } };
        paged.push({
          traceparent: req.headers.traceparent as string | undefined,
          alertId: body.alert.alertId,
        });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => pager!.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    socket?.close();
    await device?.close().catch(() => undefined);
    const exits = children
      .filter((c) => c.exitCode === null && c.signalCode === null)
      .map((c) => new Promise((resolve) => (c.once('exit', resolve), c.kill('SIGKILL'))));
    await Promise.all(exits);
    await closeRegistry?.();
    await expireIngestSessions(loadConfig({ VIGIL_INGEST_INSTANCE: settings.ingestInstance }));
    await removePrefixedState(settings);
    await collector?.close();
    await new Promise((resolve) => (pager ? pager.close(resolve) : resolve(undefined)));
  }, 60_000);

  it('links ingest → scorer → alerts delivery → webhook in one trace, parent to child', async () => {
    const { registry, close } = await testRegistry(settings);
    closeRegistry = close;
    const enrolled = await registry.enrol(deviceId, patientId, { careTeams: ['team-a'] });
    expect(enrolled.ok).toBe(true);

    const apps = await Promise.all([
      start('ingest'),
      start('scorer'),
      start('alerts', {
        VIGIL_WEBHOOK_URL: `http://127.0.0.1:${(pager!.address() as AddressInfo).port}/pager`,
        VIGIL_WEBHOOK_SECRET: `hook-${id}`,
        VIGIL_ESCALATION_HIGH: '', // only the new high alert is paged: no escalation mid-test
      }),
    ]);
    await Promise.all(apps.map((a) => healthy(a.url)));
    const alerts = apps[2];
    socket = await RecordingSocket.connect(
      `ws://127.0.0.1:${alerts.port}/ws`,
      signToken({ sub: 'nurse-1', role: 'clinician', teams: ['team-a'] }, secret),
    );
    await waitFor('hello', () => socket!.of('hello').length === 1);

    // Four minutes of 1 Hz vitals, ten samples a message; SpO2 80 % (under the hard limit) from 2 min.
    const t0 = Date.now() - 300_000;
    const samples = Array.from({ length: 240 }, (_, s) => ({
      ts: t0 + s * 1000,
      seq: s,
      hr: 74 + (s % 3),
      spo2: s < 120 ? 97 : 80,
      rr: 15,
      temp: 36.8,
    }));
    // Which sample closes the window that raises the alert: the pure pipeline, in this process.
    const expected = await new DetectionPipeline(detectionOptionsFrom(settings, undefined), null).process(
      samples.map((s): VitalSample => ({ ...s, v: 1, patientId, deviceId, receivedAt: 0 })),
    );
    const raisedAt = expected.alerts.findIndex((a) => a.state === 'raised' && a.severity === 'high');
    expect(raisedAt).toBeGreaterThanOrEqual(0);
    const closingSeq = samples[expected.alertSamples[raisedAt]].seq;
    expect(closingSeq).toBeGreaterThanOrEqual(120);

    device = await TestDevice.connect(settings, deviceId);
    for (let m = 0; m < 24; m++) await device.publish({ samples: samples.slice(m * 10, m * 10 + 10) });

    const alert: AlertView = await waitFor(
      'the high alert on the clinician’s socket',
      () => socket!.of('alert').find((a) => a.kind === 'clinical' && a.severity === 'high'),
      90_000,
    );
    expect(alert).toMatchObject({ patientId, alertId: expected.alerts[raisedAt].alertId });
    const page = await waitFor('the webhook call of the new high alert', () =>
      paged.find((p) => p.alertId === alert.alertId),
    );

    const spans = collector!.spans;
    const alertRef = pseudonym(alert.alertId);
    const delivery = await waitFor('the gateway’s delivery span of the raised alert', () =>
      spans.find(
        (s) =>
          s.name === 'alerts deliver' &&
          s.attributes['vigil.alert.ref'] === alertRef &&
          s.attributes['vigil.alert.state'] === 'raised',
      ),
    );
    const byId = (spanId: string) =>
      waitFor(`span ${spanId}`, () =>
        spans.find((s) => s.spanId === spanId && s.traceId === delivery.traceId),
      );
    const scorer = await byId(delivery.parentSpanId);
    const ingest = await byId(scorer.parentSpanId);
    const webhook = await waitFor('the webhook span', () =>
      spans.find((s) => s.name === 'webhook deliver' && s.parentSpanId === delivery.spanId),
    );

    const chain = [ingest, scorer, delivery, webhook];
    expect(chain.map((s) => [s.service, s.name, s.kind])).toEqual([
      ['vigil-ingest', 'ingest publish', OTLP_SPAN_KIND.producer],
      ['vigil-scorer', 'scorer alert', OTLP_SPAN_KIND.producer],
      ['vigil-alerts', 'alerts deliver', OTLP_SPAN_KIND.consumer],
      ['vigil-alerts', 'webhook deliver', OTLP_SPAN_KIND.client],
    ]);
    expect(new Set(chain.map((s) => s.traceId))).toEqual(new Set([delivery.traceId]));
    expect(delivery.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(ingest.parentSpanId).toBe(''); // the trace starts at the MQTT message
    expect(chain.map((s) => s.statusCode)).toEqual([0, 0, 0, 0]); // unset: none failed

    // The trace starts at the message that carried the sample that closed the window.
    const closingMessage = Math.floor(closingSeq / 10);
    expect(ingest.attributes).toMatchObject({
      'messaging.destination.name': 'vitals.samples',
      'vigil.seq.first': closingMessage * 10,
      'vigil.seq.last': closingMessage * 10 + 9,
      'vigil.samples': 10,
      'vigil.dead_letters': 0,
      'vigil.patient.ref': pseudonym(patientId),
      'vigil.device.ref': pseudonym(deviceId),
    });
    expect(scorer.attributes).toMatchObject({
      'messaging.destination.name': 'alerts.events',
      'vigil.alert.ref': alertRef,
      'vigil.alert.state': 'raised',
      'vigil.alert.severity': 'high',
      'vigil.patient.ref': pseudonym(patientId),
    });
    expect(delivery.attributes).toMatchObject({ 'vigil.alert.pushed': true, 'vigil.clinician_sockets': 1 });
    expect(webhook.attributes).toMatchObject({
      'vigil.webhook.outcome': 'delivered',
      'vigil.webhook.attempts': 1,
      'http.response.status_code': 200,
    });
    // The receiver was handed the trace too: the webhook span is its parent.
    expect(page.traceparent).toBe(`00-${webhook.traceId}-${webhook.spanId}-01`);

    // Patient and device appear only as pseudonyms, in every span every app sent.
    const text = JSON.stringify(spans.map((s: ReceivedSpan) => s.attributes));
    expect(text).not.toContain(patientId);
    expect(text).not.toContain(deviceId);
    expect(collector!.refused).toEqual([]);
  }, 300_000);
});
