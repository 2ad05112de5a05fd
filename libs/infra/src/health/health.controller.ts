import { Controller, Get, HttpCode, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { type Settings } from '@vigil/config';
import { CONFIG } from '../nest/config.module';
import {
  HEALTH_INDICATORS,
  type HealthIndicator,
  type HealthStatus,
  type Readiness,
  readiness,
} from './health';

const dependencyUp =
  (register.getSingleMetric('vigil_dependency_up') as Gauge<'dependency'> | undefined) ??
  new Gauge({
    name: 'vigil_dependency_up',
    help: 'Each readiness check at its last evaluation (GET /health/ready): 1 up, 0 down',
    labelNames: ['dependency'] as const,
  });

/**
 * Liveness and readiness.
 * - GET /health/live: 200 while the process serves requests (restart it only when this fails).
 * - GET /health/ready (and GET /health, kept for compatibility): 200 when every dependency is up,
 *   503 naming each one that is not (`down`, with a reason in `details`). A check that does not
 *   answer within VIGIL_HEALTH_CHECK_TIMEOUT_MS counts as down.
 */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(HEALTH_INDICATORS) private readonly indicators: HealthIndicator[],
    @Inject(CONFIG) private readonly config: Settings,
  ) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok'; uptimeSeconds: number } {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  }

  @Get('ready')
  @HttpCode(200)
  ready(): Promise<Readiness> {
    return this.evaluate();
  }

  @Get()
  @HttpCode(200)
  health(): Promise<Readiness> {
    return this.evaluate();
  }

  private async evaluate(): Promise<Readiness> {
    const timeoutMs = this.config.healthCheckTimeoutMs;
    const results = await Promise.all(
      this.indicators.map(async (i) => [i.name, await withTimeout(i, timeoutMs)] as const),
    );
    const verdict = readiness(results);
    for (const [name, state] of Object.entries(verdict.checks))
      dependencyUp.set({ dependency: name }, state === 'up' ? 1 : 0);
    if (verdict.status !== 'ok') throw new HttpException(verdict, HttpStatus.SERVICE_UNAVAILABLE);
    return verdict;
  }
}

async function withTimeout(
  indicator: HealthIndicator,
  timeoutMs: number,
): Promise<boolean | HealthStatus | Error> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Error>((resolve) => {
    timer = setTimeout(() => resolve(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(() => indicator.check())
        .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
