import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { type Settings } from '@vigil/config';
import { applySecurityHeaders, configureModuleApp, repoRoot } from '@vigil/infra';
import { AlertsModule } from '@vigil/alerts';
import { waitFor } from '@vigil/testing';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of each browser spec (git-ignored), kept as CI artefacts. */
export const ARTIFACTS = join(repoRoot(), 'test', 'artifacts');

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's chromium (`.ci/run` installs it) with a fresh profile, and the built dashboard. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
  if (!existsSync(join(repoRoot(), 'dist', 'dashboard', 'index.html')))
    throw new Error('the dashboard is not built: npm run build (npm ci runs it)');
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'vigil-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** A free TCP port (the gateway is restarted on the same one, as a real one would be). */
export async function freePort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The alerts gateway in this process on a fixed port, ready when its health says so. */
export async function startGateway(settings: Settings): Promise<INestApplication> {
  // forceCloseConnections: Chromium keeps pre-connected sockets that have sent no request, and an
  // HTTP server's close waits for those until its headers timeout; a stopped gateway just goes.
  const module = AlertsModule.forRoot(settings);
  const app = await NestFactory.create(module, { logger: ['error', 'warn'], forceCloseConnections: true });
  configureModuleApp(app, module);
  applySecurityHeaders(app);
  try {
    await app.listen(settings.alertsPort, '127.0.0.1');
    const url = `http://127.0.0.1:${settings.alertsPort}`;
    await waitFor(`${url}/health`, async () => (await fetch(`${url}/health`)).ok, 60_000);
    return app;
  } catch (error) {
    await app.close();
    throw error;
  }
}
