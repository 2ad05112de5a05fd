import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import {
  type AlertEvent,
  type AlertView,
  type RegistryEvent,
  TOPICS,
  type WindowScore,
} from '@vigil/contracts';
import { type Role, signToken } from '@vigil/alerting';
import { KafkaConnection } from '@vigil/infra';
import { AlertsModule } from '@vigil/alerts';
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
 * The alerts gateway against hostile and broken WebSocket clients, on the real Kafka and Redis with
 * real sockets: each misbehaving client is closed with its reason while the gateway and the other
 * clients carry on; and a person cannot resolve an alert nobody acknowledged, over REST or WS.
 */
describe('alerts gateway vs hostile clients (real Kafka, Redis, sockets)', () => {
  const id = uniqueId('it-hostile');
  const settings = testSettings(id, {
    VIGIL_ALERTS_WS_MAX_BUFFERED_BYTES: '65536',
    VIGIL_ALERTS_ALLOWED_ORIGINS: 'https://portal.example.org',
    VIGIL_ESCALATION_HIGH: '5:oncall',
    VIGIL_ESCALATION_MEDIUM: '5:oncall',
    VIGIL_ESCALATION_LOW: '5:oncall',
    VIGIL_METRICS_TOKEN: `scrape-${id}`,
  });
  let alerts: RunningApp;
  const open: { close(): void }[] = [];
  const patientId = `${id}-pat`;

  const token = (role: Role, teams: string[] = [], expiresInSeconds?: number) =>
    signToken(
      { sub: `${role}-${teams.join('+')}`, role, teams },
      settings.jwtSecret as string,
      expiresInSeconds,
    );
  const wsUrl = (): string => `ws://127.0.0.1:${alerts.port}/ws`;
  const auth = (t: string) => ({ authorization: `Bearer ${t}` });
  const connectRecording = async (t: string) => {
    const s = await RecordingSocket.connect(wsUrl(), t);
    open.push(s);
    await waitFor('hello', () => s.of('hello').length === 1);
    return s;
  };
  const closeOf = (socket: WebSocket, timeoutMs = 15_000) =>
    new Promise<{ code: number; reason: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket not closed in time')), timeoutMs);
      socket.once('close', (code, reason) => {
        clearTimeout(timer);
        resolve({ code, reason: reason.toString('utf8') });
      });
    });
  const metric = async (name: string): Promise<number> => {
    const res = await fetch(`${alerts.url}/metrics`, {
      headers: { authorization: `Bearer ${settings.metricsToken as string}` },
    });
    const line = (await res.text()).split('\n').find((l) => l.startsWith(name));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };
  const healthy = async () => (await fetch(`${alerts.url}/health`)).ok;

  beforeAll(async () => {
    alerts = await startApp(AlertsModule.forRoot(settings));
    const careTeams: RegistryEvent = {
      type: 'patient.care-teams',
      patientId,
      careTeams: ['team-a'],
      at: Date.now(),
    };
    await alerts.app
      .get(KafkaConnection)
      .send(TOPICS.registryChanges, [{ key: `patient:${patientId}`, value: careTeams }]);
    // The gateway applies it: a team-a clinician's hello is filtered by it later.
    await waitFor('the care-team change applied', async () => {
      const s = await RecordingSocket.connect(wsUrl(), token('clinician', ['team-a']));
      s.close();
      return true;
    });
  }, 60_000);

  afterAll(async () => {
    for (const s of open) s.close();
    await alerts?.app.close();
    await deleteTopics(settings);
  }, 60_000);

  it('closes a socket that sends a frame over maxPayload (1009), and keeps serving others', async () => {
    const hostile = await connectRecording(token('oncall'));
    const closed = closeOf(hostile.socket);
    hostile.socket.send('x'.repeat(4 * settings.alertsWsMaxPayloadBytes));
    expect((await closed).code).toBe(1009);
    expect(await metric('vigil_alerts_ws_refused_total{reason="oversized"}')).toBe(1);
    expect(await healthy()).toBe(true);
    const next = await connectRecording(token('oncall'));
    expect(next.of('hello')[0]).toMatchObject({ role: 'oncall' });
  });

  it('drops a client that stops reading once its send buffer passes the bound, while a normal client gets everything', async () => {
    const normal = await connectRecording(token('oncall'));
    const before = await metric('vigil_alerts_ws_clients');
    // A real WebSocket handshake over TCP, then the client never reads again.
    const slow: Socket = connect(alerts.port, '127.0.0.1');
    open.push({ close: () => slow.destroy() });
    const slowClosed = new Promise<void>((resolve) => slow.once('close', () => resolve()));
    await new Promise<void>((resolve) => slow.once('connect', () => resolve()));
    slow.write(
      [
        'GET /ws HTTP/1.1',
        `Authorization: Bearer ${token('oncall')}`,
        `Host: 127.0.0.1:${alerts.port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
    );
    slow.pause();
    await waitFor(
      'the slow client connected',
      async () => (await metric('vigil_alerts_ws_clients')) === before + 1,
    );

    // Live vitals until the gateway gives up on the slow reader (the kernel's socket buffers
    // absorb a few MB first), bounded so a gateway that never drops it fails the test.
    const kafka = alerts.app.get(KafkaConnection);
    let at = Date.now() - 3_600_000;
    let sent = 0;
    while ((await metric('vigil_alerts_ws_refused_total{reason="too-slow"}')) === 0) {
      if (sent > 200_000) throw new Error(`slow client not dropped after ${sent} messages`);
      const batch: WindowScore[] = Array.from({ length: 2000 }, () => ({
        v: 1,
        patientId,
        at: (at += 1000),
        news2: 1,
        model: 0.8,
        contributions: { hr: 0.4, spo2: 0.3, rr: 0.2, temp: 0.1 },
        latest: { hr: 81, spo2: 96, rr: 15, temp: 36.8, sbp: 122, dbp: 79 },
        usual: { hr: 78, spo2: 97, rr: 14, temp: 36.8, sbp: 120, dbp: 78 },
        deviation: 0.8,
        context: { activity: 'rest', night: false },
      }));
      await kafka.send(
        TOPICS.scores,
        batch.map((value) => ({ key: patientId, value })),
      );
      sent += batch.length;
      const last = at;
      await waitFor(
        'the normal client to keep up',
        () => normal.of('vitals').some((v) => v.at === last),
        60_000,
      );
    }
    expect(await metric('vigil_alerts_ws_clients')).toBe(before); // only the slow one went
    slow.resume(); // it reads what the kernel held, then finds the connection closed
    await slowClosed;
    expect(normal.socket.readyState).toBe(WebSocket.OPEN);
    expect(normal.of('vitals')).toHaveLength(sent);
    expect(await healthy()).toBe(true);
  }, 180_000);

  it('closes an open socket with 4401 "token expired" when its token expires', async () => {
    const shortLived = await connectRecording(token('clinician', ['team-a'], 2));
    const closed = await closeOf(shortLived.socket, 10_000);
    expect(closed).toEqual({ code: 4401, reason: 'token expired' });
    expect(await metric('vigil_alerts_ws_refused_total{reason="token-expired"}')).toBe(1);
  });

  it('refuses a browser handshake from a foreign Origin (403), allows its own, listed and absent origins', async () => {
    const refusal = await new Promise<string>((resolve, reject) => {
      const s = new WebSocket(wsUrl(), { origin: 'https://evil.example', headers: auth(token('oncall')) });
      s.once('error', (error) => resolve(error.message));
      s.once('open', () => reject(new Error('a foreign origin was let in')));
    });
    expect(refusal).toBe('Unexpected server response: 403');
    expect(await metric('vigil_alerts_ws_refused_total{reason="origin"}')).toBe(1);
    for (const origin of [`http://127.0.0.1:${alerts.port}`, 'https://portal.example.org', undefined]) {
      const s = new WebSocket(wsUrl(), { ...(origin ? { origin } : {}), headers: auth(token('oncall')) });
      open.push(s);
      await new Promise<void>(
        (resolve, reject) => (s.once('open', () => resolve()), s.once('error', reject)),
      );
    }
  });

  describe('resolve needs an acknowledgement', () => {
    const rest = (path: string, t: string) =>
      fetch(`${alerts.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${t}` } });
    const raise = async (alertId: string, at: number) => {
      const event: AlertEvent = {
        v: 1,
        alertId,
        patientId,
        kind: 'clinical',
        state: 'raised',
        severity: 'medium',
        reason: 'SpO2 88 % (usual 97 %)',
        vitals: ['spo2'],
        evidence: [],
        startedAt: at,
        at,
      };
      await alerts.app.get(KafkaConnection).send(TOPICS.alerts, [{ key: patientId, value: event }]);
    };
    const listed = async (t: string, alertId: string) => {
      const res = await fetch(`${alerts.url}/alerts`, { headers: { authorization: `Bearer ${t}` } });
      return ((await res.json()) as AlertView[]).find((a) => a.alertId === alertId);
    };
    const nurse = () => token('clinician', ['team-a']);

    it('refuses to resolve an open alert over REST (409) and WS (error), then resolves it once acknowledged', async () => {
      const alertId = `${id}-open`;
      await raise(alertId, Date.now() + 3_600_000); // measured "in the future": never overdue, stays open
      await waitFor('the open alert', () => listed(nurse(), alertId));
      const res = await rest(`/alerts/${alertId}/resolve`, nurse());
      expect(res.status).toBe(409);
      expect(((await res.json()) as { message: string }).message).toMatch(
        /acknowledge alert .* before resolving/,
      );
      const ws = await connectRecording(nurse());
      ws.socket.send(JSON.stringify({ type: 'resolve', data: { alertId } }));
      const error = await waitFor('the WS error', () => ws.of('error')[0]);
      expect(error.message).toMatch(/acknowledge alert .* before resolving/);
      expect((await listed(nurse(), alertId))?.status).toBe('open');

      ws.socket.send(JSON.stringify({ type: 'ack', data: { alertId } }));
      await waitFor('acknowledged', () =>
        ws.of('alert').find((a) => a.alertId === alertId && a.status === 'acknowledged'),
      );
      ws.socket.send(JSON.stringify({ type: 'resolve', data: { alertId } }));
      await waitFor('resolved', () =>
        ws.of('alert').find((a) => a.alertId === alertId && a.status === 'resolved'),
      );
    });

    it('refuses to resolve an escalated alert, for on-call too, until it is acknowledged', async () => {
      const alertId = `${id}-overdue`;
      await raise(alertId, Date.now() - 3_600_000); // overdue at once: the next sweep escalates it
      const oncall = token('oncall');
      await waitFor(
        'the escalated alert',
        async () => (await listed(oncall, alertId))?.status === 'escalated',
        20_000,
      );
      expect((await rest(`/alerts/${alertId}/resolve`, oncall)).status).toBe(409);
      const ws = await connectRecording(oncall);
      ws.socket.send(JSON.stringify({ type: 'resolve', data: { alertId } }));
      expect((await waitFor('the WS error', () => ws.of('error')[0])).message).toMatch(/before resolving/);

      expect((await rest(`/alerts/${alertId}/ack`, oncall)).status).toBe(200);
      const resolved = await rest(`/alerts/${alertId}/resolve`, oncall);
      expect(resolved.status).toBe(200);
      expect(await resolved.json()).toMatchObject({ status: 'resolved', acknowledgedBy: 'oncall-' });
    });
  });

  it('serves /metrics only to the scrape token or an admin', async () => {
    expect((await fetch(`${alerts.url}/metrics`)).status).toBe(401);
    const get = (t: string) => fetch(`${alerts.url}/metrics`, { headers: { authorization: `Bearer ${t}` } });
    expect((await get(token('clinician', ['team-a']))).status).toBe(401);
    expect((await get(token('admin'))).status).toBe(200);
    expect((await get(settings.metricsToken as string)).status).toBe(200);
  });
});
