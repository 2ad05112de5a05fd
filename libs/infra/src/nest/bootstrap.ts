import {
  ConsoleLogger,
  type DynamicModule,
  type INestApplication,
  Logger,
  type LogLevel,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig, SETTINGS, type SettingKey, type Settings } from '@vigil/config';
import { enableProcessMetrics } from '../metrics/process-metrics';
import { checkPemFiles } from '../tls/pem-file';
import { startTracing } from '../tracing/tracing';
import { applySecurityHeaders } from './security-headers';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** One logger shape for every app: text for people, or one JSON object a line for shippers. */
export function createLogger(config: Pick<Settings, 'logLevel' | 'logFormat'>, app: string): ConsoleLogger {
  return new ConsoleLogger(app, {
    json: config.logFormat === 'json',
    colors: config.logFormat === 'text' && process.stdout.isTTY,
    logLevels: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
    prefix: 'vigil',
  });
}

/**
 * A module that needs app-level setup before the app initialises (its WebSocket adapter: gateways
 * connect at init) says so with a static `configureApp`; whatever creates the app calls it.
 */
export interface ConfiguresApp {
  configureApp(app: INestApplication): void;
}

export function configureModuleApp(app: INestApplication, module: Type | DynamicModule): void {
  const type = 'module' in module ? module.module : module;
  (type as Partial<ConfiguresApp>).configureApp?.(app);
}

export interface AppOptions {
  readonly name: string;
  readonly module: (settings: Settings) => Type | DynamicModule;
  readonly port: (settings: Settings) => number;
  /** Routes that must be mounted before the server listens (e.g. OpenAPI docs). */
  readonly beforeListen?: (app: INestApplication) => void;
  /** Settings that are optional in general but this app cannot run without. */
  readonly requires?: readonly SettingKey[];
}

/**
 * Starts one Vigil app: validates the environment first (a bad variable stops start-up with its
 * name), starts tracing when it is configured, then serves HTTP and closes gracefully on
 * SIGTERM/SIGINT within the shutdown budget.
 */
export async function bootstrapApp(options: AppOptions, env = process.env): Promise<INestApplication> {
  let settings: Settings;
  try {
    settings = loadConfig(env);
    const missing = (options.requires ?? []).filter((k) => settings[k] === undefined);
    if (missing.length > 0) {
      throw new ConfigError(
        missing.map((k) => ({ env: SETTINGS[k].env, value: '', problem: `is required by ${options.name}` })),
      );
    }
    checkPemFiles(settings);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${options.name}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(settings, options.name);
  enableProcessMetrics(options.name);
  if (startTracing(settings, options.name))
    new Logger(options.name).log(
      `tracing to ${settings.otelExporterOtlpEndpoint ?? ''} (sample ratio ${settings.otelSampleRatio})`,
    );
  const module = options.module(settings);
  const app = await NestFactory.create(module, { logger, bufferLogs: false });
  configureModuleApp(app, module);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  guardShutdown(settings.shutdownTimeoutMs, options.name);
  const port = options.port(settings);
  applySecurityHeaders(app); // first, so routes mounted next (OpenAPI docs) carry the headers too
  options.beforeListen?.(app);
  await app.listen(port, settings.httpHost);
  new Logger(options.name).log(`listening on http://${hostForUrl(settings.httpHost)}:${port}`);
  return app;
}

/** An IPv6 address goes in brackets in a URL. */
function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** If draining hangs (a broker gone away), exit anyway once the budget is spent. */
function guardShutdown(timeoutMs: number, name: string): void {
  const arm = (signal: string) =>
    process.once(signal, () => {
      new Logger(name).log(`${signal}: draining (at most ${timeoutMs} ms)`);
      setTimeout(() => {
        new Logger(name).error(`shutdown took longer than ${timeoutMs} ms; exiting`);
        process.exit(1);
      }, timeoutMs).unref();
    });
  arm('SIGTERM');
  arm('SIGINT');
}
