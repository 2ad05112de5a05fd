import { Controller, Get, HttpCode, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { HEALTH_INDICATORS, type HealthIndicator } from './health';

/** GET /health: 200 with each dependency's state when all are up, 503 otherwise. */
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_INDICATORS) private readonly indicators: HealthIndicator[]) {}

  @Get()
  @HttpCode(200)
  async health(): Promise<{ status: 'ok'; checks: Record<string, 'up'> }> {
    const results = await Promise.all(
      this.indicators.map(
        async (i) => [i.name, await Promise.resolve(i.check()).catch(() => false)] as const,
      ),
    );
    const checks = Object.fromEntries(results.map(([name, up]) => [name, up ? 'up' : 'down']));
    if (results.some(([, up]) => !up)) {
      throw new HttpException({ status: 'error', checks }, HttpStatus.SERVICE_UNAVAILABLE);
    }
    return { status: 'ok', checks: checks as Record<string, 'up'> };
  }
}
