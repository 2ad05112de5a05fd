import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type INestApplication } from '@nestjs/common';
import { AlertsModule } from '@vigil/alerts';
import { type AppOptions, bootstrapApp } from '@vigil/infra';
import { IngestModule, serveOpenApi } from '@vigil/ingest';
import { ScorerModule } from '@vigil/scorer';
import { deleteTopics, testSettings, uniqueId, waitFor } from '@vigil/testing';

/**
 * Every HTTP app, started by the production bootstrap (bootstrapApp, as each main.ts does) on the
 * real Kafka, Redis and Mosquitto: every response carries CSP, X-Frame-Options DENY, nosniff and
 * Referrer-Policy no-referrer, and none says X-Powered-By; the dashboard's CSP lets only its own
 * script and style files run.
 */
describe('security headers on every HTTP app (real bootstrap, real stack)', () => {
  const id = uniqueId('it-headers');
  const settings = testSettings(id);
  const env: Record<string, string> = {
    VIGIL_TOPIC_PREFIX: settings.topicPrefix,
    VIGIL_MQTT_SHARE_GROUP: settings.mqttShareGroup,
    VIGIL_INGEST_INSTANCE: settings.ingestInstance,
    VIGIL_ALERTS_INSTANCE: settings.alertsInstance,
    VIGIL_INGEST_PORT: '0',
    VIGIL_SCORER_PORT: '0',
    VIGIL_ALERTS_PORT: '0',
    VIGIL_JWT_SECRET: `secret-${id}`,
    VIGIL_LOG_LEVEL: 'warn',
    VIGIL_NEW_GROUPS_FROM: 'earliest',
  };
  const apps: { name: string; app: INestApplication; url: string }[] = [];
  const options: AppOptions[] = [
    {
      name: 'ingest',
      module: (s) => IngestModule.forRoot(s),
      port: (s) => s.ingestPort,
      beforeListen: serveOpenApi,
    },
    { name: 'scorer', module: (s) => ScorerModule.forRoot(s), port: (s) => s.scorerPort },
    {
      name: 'alerts',
      module: (s) => AlertsModule.forRoot(s),
      port: (s) => s.alertsPort,
      requires: ['jwtSecret'],
    },
  ];

  beforeAll(async () => {
    for (const o of options) {
      const app = await bootstrapApp(o, env);
      const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
      const url = `http://127.0.0.1:${port}`;
      apps.push({ name: o.name, app, url });
      await waitFor(`${o.name} ready`, async () => (await fetch(`${url}/health/ready`)).ok, 60_000);
    }
  }, 120_000);

  afterAll(async () => {
    for (const { app } of apps.reverse()) await app.close();
    await deleteTopics(settings);
  }, 60_000);

  const expectHardened = (res: Response, what: string) => {
    expect({ what, csp: res.headers.get('content-security-policy') }).toEqual({
      what,
      csp: expect.stringContaining("frame-ancestors 'none'") as string,
    });
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-powered-by')).toBeNull();
  };

  it('on health, metrics, unknown paths and the APIs of ingest, scorer and alerts', async () => {
    for (const { name, url } of apps) {
      for (const path of ['/health', '/health/live', '/health/ready', '/metrics', '/no-such-page']) {
        const res = await fetch(`${url}${path}`);
        expectHardened(res, `${name} ${path}`);
        if (path !== '/metrics')
          expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      }
    }
    const ingest = apps.find((a) => a.name === 'ingest')?.url ?? '';
    expectHardened(await fetch(`${ingest}/registry/devices`), 'registry API (401)');
    expectHardened(await fetch(`${ingest}/registry/docs/`), 'registry docs');
  });

  it('on the dashboard, whose CSP admits its own script and style files and its own WebSocket', async () => {
    const alerts = apps.find((a) => a.name === 'alerts')?.url ?? '';
    const res = await fetch(`${alerts}/`);
    expectHardened(res, 'dashboard');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain(`ws://${new URL(alerts).host}`);
    expect(csp).not.toContain('unsafe-inline');
  });
});
