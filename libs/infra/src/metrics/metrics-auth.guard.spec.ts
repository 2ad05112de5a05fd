import { type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { loadConfig } from '@vigil/config';
import { signToken } from '@vigil/alerting';
import { MetricsAuthGuard } from './metrics-auth.guard';

const secret = 'metrics-spec-secret-0123456789';
const withAuth = (authorization?: string) =>
  ({
    switchToHttp: () => ({ getRequest: () => ({ headers: { authorization } }) }),
  }) as unknown as ExecutionContext;

describe(MetricsAuthGuard.name, () => {
  it('lets in the scrape token and admin JWTs only', () => {
    const guard = new MetricsAuthGuard(
      loadConfig({ VIGIL_METRICS_TOKEN: 'scrape-token', VIGIL_JWT_SECRET: secret }),
    );
    expect(guard.canActivate(withAuth('Bearer scrape-token'))).toBe(true);
    const admin = signToken({ sub: 'a', role: 'admin', teams: [] }, secret);
    expect(guard.canActivate(withAuth(`Bearer ${admin}`))).toBe(true);
    const nurse = signToken({ sub: 'n', role: 'clinician', teams: ['team-a'] }, secret);
    expect(() => guard.canActivate(withAuth(`Bearer ${nurse}`))).toThrow(UnauthorizedException);
    expect(() => guard.canActivate(withAuth('Bearer scrape-tokeN'))).toThrow(UnauthorizedException);
    expect(() => guard.canActivate(withAuth())).toThrow(UnauthorizedException);
  });

  it('is closed when neither a scrape token nor a JWT secret is configured', () => {
    const guard = new MetricsAuthGuard(loadConfig({}));
    expect(() => guard.canActivate(withAuth('Bearer anything'))).toThrow(UnauthorizedException);
  });
});
