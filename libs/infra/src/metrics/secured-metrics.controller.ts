import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { register } from 'prom-client';
import { MetricsAuthGuard } from './metrics-auth.guard';

/**
 * GET /metrics in the Prometheus text format, behind `MetricsAuthGuard`. Apps mount this instead of
 * the open `MetricsController` (the alerts gateway does; ingest and scorer can switch by swapping
 * the controller in their module once their scrapers send the token).
 */
@Controller('metrics')
@UseGuards(MetricsAuthGuard)
export class SecuredMetricsController {
  @Get()
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
