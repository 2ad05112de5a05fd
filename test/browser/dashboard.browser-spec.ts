import { type INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { type Producer } from 'kafkajs';
import { type BrowserContext, type Page } from 'playwright-core';
import { signToken } from '@vigil/alerting';
import {
  type AlertAudit,
  type AlertEvent,
  type RegistryEvent,
  type Severity,
  TOPICS,
  type WindowScore,
} from '@vigil/contracts';
import { physicalTopic } from '@vigil/infra';
import {
  deleteTopics,
  readTopic,
  RecordingSocket,
  testKafka,
  testSettings,
  uniqueId,
  waitFor,
} from '@vigil/testing';
import { freePort, launchBrowser, screenshot, startGateway } from './browser';

/**
 * The dashboard in Debian's Chromium (playwright-core) against the real gateway on the real Kafka
 * and Redis: a night nurse signs in, sees an alert arrive live and announced, acknowledges it,
 * silences a patient, opens the patient view and finds the charts drawn, loses the gateway (banner,
 * reconnect, nothing missing or twice) and sees her token expire. Screenshots: test/artifacts/.
 */
describe('dashboard in a real browser (Chromium, real gateway, Kafka, Redis)', () => {
  const id = uniqueId('br-dash');
  let settings = testSettings(id);
  let gateway: INestApplication | null = null;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let producer: Producer;
  const redis = new Redis(settings.redisUrl);
  const ada = `${id}-ada`;
  const bob = `${id}-bob`;
  const quiet = `${id}-quiet`;
  let url = '';
  /** Script errors on the page: a spec that fails says why. */
  const problems: string[] = [];
  const token = (expiresInSeconds = 3600) =>
    signToken(
      { sub: 'nurse-1', role: 'clinician', teams: ['team-a'] },
      settings.jwtSecret as string,
      expiresInSeconds,
    );

  const send = async <T>(topic: (typeof TOPICS)[keyof typeof TOPICS], key: string, values: T[]) =>
    producer.send({
      topic: physicalTopic(settings.topicPrefix, topic),
      acks: -1,
      messages: values.map((v) => ({ key, value: JSON.stringify(v) })),
    });

  const alertEvent = (
    patientId: string,
    alertId: string,
    state: AlertEvent['state'],
    severity: Severity,
    reason: string,
  ): AlertEvent => ({
    v: 1,
    alertId,
    patientId,
    kind: 'clinical',
    state,
    severity,
    reason,
    vitals: ['spo2'],
    evidence: [
      { source: 'baseline', vital: 'spo2', value: 87, usual: 96, score: 6.1 },
      { source: 'news2', vital: 'spo2', value: 87, usual: null, score: 3 },
    ],
    startedAt: Date.now() - 120_000,
    at: Date.now(),
  });

  const rows = (alertId: string) => page.locator(`#tiles [data-alert-id="${alertId}"]`);
  const tile = (patientId: string) => page.locator(`#tiles [data-patient-id="${patientId}"]`);

  beforeAll(async () => {
    settings = testSettings(id, {
      VIGIL_ALERTS_PORT: String(await freePort()),
      VIGIL_ESCALATE_AFTER_SECONDS: '3600',
      VIGIL_NO_DATA_SECONDS: '3600',
    });
    url = `http://127.0.0.1:${settings.alertsPort}`;
    gateway = await startGateway(settings);
    producer = testKafka().producer();
    await producer.connect();
    const registry: Extract<RegistryEvent, { type: 'patient.care-teams' }>[] = [
      {
        type: 'patient.care-teams',
        patientId: ada,
        careTeams: ['team-a'],
        displayName: 'Ada Lovelace',
        bed: '4',
        at: Date.now(),
      },
      {
        type: 'patient.care-teams',
        patientId: bob,
        careTeams: ['team-a'],
        displayName: 'Bob Hope',
        bed: '7',
        at: Date.now(),
      },
      {
        type: 'patient.care-teams',
        patientId: quiet,
        careTeams: ['team-a'],
        displayName: 'Cy Quiet',
        bed: '9',
        at: Date.now(),
      },
    ];
    for (const e of registry) await send(TOPICS.registryChanges, `patient:${e.patientId}`, [e]);
    // 40 windows of Ada's vitals over the last 20 minutes, then a desaturation.
    const now = Date.now();
    const scores: WindowScore[] = Array.from({ length: 40 }, (_, i) => ({
      v: 1,
      patientId: ada,
      at: now - (40 - i) * 30_000,
      news2: i < 30 ? 0 : 3,
      model: 0.4,
      contributions: null,
      latest: { hr: 78 + (i % 4), spo2: i < 30 ? 97 : 87, rr: 15, temp: 36.8, sbp: 122, dbp: 78 },
      usual: { hr: 78, spo2: 96, rr: 14, temp: 36.8, sbp: 120, dbp: 78 },
      deviation: i < 30 ? 0.5 : 6.1,
      context: { activity: 'rest', night: false },
    }));
    await send(TOPICS.scores, ada, scores);
    await send(TOPICS.scores, bob, [{ ...scores[39], patientId: bob }]);
    // The gateway applied both (a team-a socket's hello names the patients, with data).
    await waitFor('the registry and vitals applied', async () => {
      const s = await RecordingSocket.connect(`ws://127.0.0.1:${settings.alertsPort}/ws`, token());
      try {
        const hello = await waitFor('hello', () => s.of('hello')[0]);
        const names = hello.patients.filter((p) => p.displayName !== null && p.lastSeenAt !== null);
        return names.length === 2;
      } finally {
        s.close();
      }
    });
    browser = await launchBrowser();
    context = browser.context;
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // The browser logs each refused reconnect while the gateway is away: expected there.
      if (m.type() === 'error' && !/WebSocket connection to .* failed/.test(m.text()))
        problems.push(`console: ${m.text()}`);
    });
  }, 120_000);

  afterEach(() => expect(problems.splice(0)).toEqual([]));

  afterAll(async () => {
    await browser?.close();
    await producer?.disconnect();
    await gateway?.close();
    const keys = await redis.keys(`${settings.topicPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await deleteTopics(settings);
  }, 60_000);

  it('shows "signed out" as a full-width banner, never as "no alerts", then signs in without a token in the URL', async () => {
    await page.goto(url);
    const banner = page.locator('#banner');
    await banner.waitFor({ state: 'visible' });
    expect(await banner.getAttribute('data-state')).toBe('signed-out');
    expect(await banner.textContent()).toContain('NOT showing alerts');
    expect(await page.locator('#empty').isVisible()).toBe(false);
    await screenshot(page, '01-signed-out');

    await page.fill('#token', token());
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForFunction(() => document.body.dataset.link === 'live');
    expect(page.url()).toBe(`${url}/`);
    expect(await banner.isVisible()).toBe(false);
    await tile(ada).waitFor();
    expect(await tile(ada).locator('.name').textContent()).toBe('Bed 4 · Ada Lovelace');
    expect(await tile(ada).getAttribute('data-status')).toBe('normal');
    // Registered, never sent anything: greyed, "no data yet".
    expect(await tile(quiet).getAttribute('data-status')).toBe('no-data');
    expect(await tile(quiet).locator('.seen').textContent()).toBe('no data yet');
    await screenshot(page, '02-ward-signed-in');
  }, 60_000);

  it('shows a new high alert live, first in the ward, announced (sound, flash, aria-live), and the mute per station', async () => {
    const alertId = `${ada}:clinical:1`;
    await send(TOPICS.alerts, ada, [
      alertEvent(ada, alertId, 'raised', 'high', 'SpO2 87 % (usual 96 %) for 2 min'),
    ]);
    await rows(alertId).waitFor();
    expect(await tile(ada).getAttribute('data-status')).toBe('alerting');
    expect(await tile(ada).getAttribute('data-severity')).toBe('high');
    expect(await page.locator('#tiles > li').first().getAttribute('data-patient-id')).toBe(ada);
    const announcer = page.locator('#announcer');
    expect(await announcer.getAttribute('aria-live')).toBe('assertive');
    expect(await announcer.textContent()).toContain('HIGH alert — Bed 4 · Ada Lovelace: SpO2 87 %');
    expect(await announcer.getAttribute('data-sound')).toBe('played');
    expect(await tile(ada).evaluate((e) => e.classList.contains('flash'))).toBe(true);
    await screenshot(page, '03-high-alert-announced');

    // Muted at this station: a second high alert is shown and said, without sound.
    await page.check('#mute');
    const bobAlert = `${bob}:clinical:1`;
    await send(TOPICS.alerts, bob, [alertEvent(bob, bobAlert, 'raised', 'medium', 'RR 26 /min (usual 14)')]);
    await rows(bobAlert).waitFor();
    await send(TOPICS.alerts, bob, [
      { ...alertEvent(bob, bobAlert, 'escalated', 'high', 'RR 31 /min (usual 14)'), at: Date.now() + 1 },
    ]);
    await page.waitForFunction((a) => document.getElementById('announcer')?.dataset.alertId === a, bobAlert);
    expect(await announcer.getAttribute('data-sound')).toBe('muted');
    await page.uncheck('#mute');
  }, 60_000);

  it('acknowledges an alert; the new state comes back through Kafka and says who', async () => {
    const alertId = `${ada}:clinical:1`;
    await rows(alertId).locator('button[data-action=ack]').click();
    await page.waitForFunction(
      (a) => document.querySelector(`[data-alert-id="${a}"]`)?.getAttribute('data-status') === 'acknowledged',
      alertId,
    );
    expect(await rows(alertId).locator('.meta').textContent()).toContain('acknowledged by nurse-1');
    expect(await rows(alertId).locator('button[data-action=resolve]').isVisible()).toBe(true);
    await screenshot(page, '04-acknowledged');
  }, 60_000);

  it('silences a patient for a time-box with a reason: audited, shown, covered alerts quiet, a higher one still announced', async () => {
    // Bob's alert is high now, so the silence covers up to high.
    await tile(bob).locator('button[data-action=silence]').click();
    await page.fill('#silence-minutes', '5');
    await page.fill('#silence-reason', 'probe repositioned, nurse at bedside');
    await page.click('#silence-ok');
    await tile(bob).locator('.silence').waitFor({ state: 'visible' });
    expect(await tile(bob).locator('.silenced').textContent()).toMatch(
      /^Silenced by nurse-1 until \d\d:\d\d: probe repositioned, nurse at bedside \(up to high\)$/,
    );
    const audits = await readTopic<AlertAudit>(settings, TOPICS.audit, (r) =>
      r.some((a) => a.action === 'silenced'),
    );
    expect(audits.find((a) => a.action === 'silenced')).toMatchObject({
      patientId: bob,
      by: 'nurse-1',
      note: 'probe repositioned, nurse at bedside',
      silence: { severity: 'high' },
    });
    // A new medium alert on the silenced patient is shown but not announced.
    const minor = `${bob}:technical:1`;
    const before = await page.locator('#polite').textContent();
    await send(TOPICS.alerts, bob, [
      { ...alertEvent(bob, minor, 'raised', 'medium', 'Check the SpO2 sensor'), kind: 'technical' },
    ]);
    await rows(minor).waitFor();
    expect(await page.locator('#polite').textContent()).toBe(before);

    // A silence set over a medium alert never hides a high one on that patient.
    const cy = `${quiet}:clinical:1`;
    await send(TOPICS.alerts, quiet, [alertEvent(quiet, cy, 'raised', 'medium', 'RR 24 /min (usual 14)')]);
    await rows(cy).waitFor();
    await tile(quiet).locator('button[data-action=silence]').click();
    await page.fill('#silence-minutes', '10');
    await page.fill('#silence-reason', 'known, physician informed');
    await page.click('#silence-ok');
    await tile(quiet).locator('.silence').waitFor({ state: 'visible' });
    expect(await tile(quiet).locator('.silenced').textContent()).toContain('(up to medium)');
    await send(TOPICS.alerts, quiet, [
      { ...alertEvent(quiet, cy, 'escalated', 'high', 'RR 34 /min (usual 14)'), at: Date.now() + 1 },
    ]);
    await page.waitForFunction((a) => document.getElementById('announcer')?.dataset.alertId === a, cy);
    expect(await page.locator('#announcer').textContent()).toContain('HIGH alert — Bed 9 · Cy Quiet: RR 34');
    await screenshot(page, '05-silenced');
  }, 60_000);

  it('opens the patient view: charts with axes and usual band, the episode, evidence and who acknowledged', async () => {
    await tile(ada).locator('button.name').click();
    await page.waitForSelector('#patient[data-loaded="true"]');
    const hr = page.locator('.chart[data-vital="spo2"]');
    await hr.locator('canvas').waitFor();
    expect(Number(await hr.getAttribute('data-points'))).toBeGreaterThanOrEqual(40);
    expect(await page.locator('.chart').count()).toBeGreaterThanOrEqual(5);
    expect(await hr.locator('.u-axis').count()).toBe(2);
    expect(await page.locator('#patient-alerts .reason').first().textContent()).toContain('SpO2 87 %');
    expect(await page.locator('#patient-alerts table.evidence tr').count()).toBe(3);
    expect(await page.locator('#patient-history li[data-action="acknowledged"]').textContent()).toContain(
      'by nurse-1',
    );
    await screenshot(page, '06-patient-view');
    await page.click('#patient-close');
    await page.locator('#ward').waitFor({ state: 'visible' });
  }, 60_000);

  it('shows the connection banner when the gateway restarts, reconnects, and misses nothing nor shows anything twice', async () => {
    const seen = await page.$$eval('#tiles [data-alert-id]', (r) =>
      r.map((e) => e.getAttribute('data-alert-id')),
    );
    await gateway?.close();
    gateway = null;
    await page.waitForFunction(() => document.body.dataset.link === 'lost');
    const banner = page.locator('#banner');
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.textContent()).toContain('Connection to Vigil lost');
    expect(await page.locator('#empty').isVisible()).toBe(false);
    await screenshot(page, '07-connection-lost');

    // While it is down: a new alert for Ada, Bob's technical alert clears, and an alert for Bob is
    // raised and resolved (a snapshot of open alerts would never show it).
    const during = `${ada}:clinical:2`;
    const blip = `${bob}:clinical:9`;
    await send(TOPICS.alerts, ada, [alertEvent(ada, during, 'raised', 'medium', 'HR 128 /min (usual 78)')]);
    await send(TOPICS.alerts, bob, [
      { ...alertEvent(bob, `${bob}:technical:1`, 'resolved', 'medium', 'ok'), kind: 'technical' },
      alertEvent(bob, blip, 'raised', 'medium', 'RR 27 /min (usual 16)'),
      alertEvent(bob, blip, 'resolved', 'medium', 'ok'),
    ]);
    gateway = await startGateway(settings);
    await page.waitForFunction(() => document.body.dataset.link === 'live', undefined, { timeout: 30_000 });
    // It resumed from the last event id it had (sent in the auth message, not in the URL).
    expect(await page.evaluate(() => document.body.dataset.feed)).toBe('replay');
    expect(page.url()).not.toMatch(/token|eyJ/);
    const resolvedWhileAway = page.locator(`#recent-resolved [data-resolved-id="${blip}"]`);
    await resolvedWhileAway.waitFor({ timeout: 30_000 });
    await rows(during).waitFor({ timeout: 30_000 });
    await page.waitForFunction(
      (a) => document.querySelector(`[data-alert-id="${a}"]`) === null,
      `${bob}:technical:1`,
      { timeout: 30_000 },
    );
    const after = await page.$$eval('#tiles [data-alert-id]', (r) =>
      r.map((e) => e.getAttribute('data-alert-id')),
    );
    const expected = [...seen.filter((a) => a !== `${bob}:technical:1`), during];
    expect([...after].sort()).toEqual([...expected].sort()); // each exactly once
    expect(await resolvedWhileAway.count()).toBe(1);
    expect(await page.locator(`#tiles [data-alert-id="${blip}"]`).count()).toBe(0);
    expect(await banner.isVisible()).toBe(false);
    await screenshot(page, '08-reconnected');
  }, 90_000);

  it('shows "token expired" as a full-width banner when the token runs out on an open page', async () => {
    const second = await context.newPage();
    await second.goto(url);
    await second.fill('#token', token(3));
    await second.click('#sign-in-form button[type=submit]');
    await second.waitForFunction(() => document.body.dataset.link === 'live');
    await second.waitForFunction(() => document.body.dataset.link === 'expired', undefined, {
      timeout: 15_000,
    });
    const banner = second.locator('#banner');
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.textContent()).toContain('Your sign-in expired (token expired)');
    expect(await second.locator('#empty').isVisible()).toBe(false);
    expect(await second.locator('#sign-in').isVisible()).toBe(true);
    await screenshot(second, '09-token-expired');
    await second.close();
  }, 60_000);
});
