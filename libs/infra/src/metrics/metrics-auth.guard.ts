import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { type Request } from 'express';
import { type Settings } from '@vigil/config';
import { AuthError, tokenFrom } from '@vigil/alerting';
import { TokenVerifier } from '../auth/token-verifier';
import { CONFIG } from '../nest/config.module';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Who may read /metrics: a scraper with VIGIL_METRICS_TOKEN as its bearer token (Prometheus
 * `authorization: { credentials: … }`), or a person with an admin JWT. With neither configured the
 * endpoint is closed (401): metrics name patients' alert rates and client counts, not for anyone.
 */
@Injectable()
export class MetricsAuthGuard implements CanActivate {
  constructor(
    @Inject(CONFIG) private readonly config: Settings,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const token = tokenFrom(request.headers.authorization, undefined);
    if (token === undefined) throw new UnauthorizedException('metrics need a bearer token');
    const { metricsToken } = this.config;
    if (metricsToken !== undefined && timingSafeEqual(digest(token), digest(metricsToken))) return true;
    try {
      if ((await this.verifier.verify(token)).role === 'admin') return true;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
    }
    throw new UnauthorizedException('metrics need VIGIL_METRICS_TOKEN or an admin JWT');
  }
}
