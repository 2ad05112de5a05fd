import { type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { loadConfig } from '@vigil/config';
import { signToken } from '@vigil/alerting';
import { TokenVerifier } from '../auth/token-verifier';
import { MetricsAuthGuard } from './metrics-auth.guard';

const secret = 'metrics-spec-secret-0123456789';
const withAuth = (authorization?: string) =>
  ({
    switchToHttp: () => ({ getRequest: () => ({ headers: { authorization } }) }),
  }) as unknown as ExecutionContext;

describe(MetricsAuthGuard.name, () => {
  it('lets in the scrape token and admin JWTs only', async () => {
    const config = loadConfig({ VIGIL_METRICS_TOKEN: 'scrape-token', VIGIL_JWT_SECRET: secret });
    const guard = new MetricsAuthGuard(config, new TokenVerifier(config));
    await expect(guard.canActivate(withAuth('Bearer scrape-token'))).resolves.toBe(true);
    const admin = signToken({ sub: 'a', role: 'admin', teams: [] }, secret);
    await expect(guard.canActivate(withAuth(`Bearer ${admin}`))).resolves.toBe(true);
    const nurse = signToken({ sub: 'n', role: 'clinician', teams: ['team-a'] }, secret);
    await expect(guard.canActivate(withAuth(`Bearer ${nurse}`))).rejects.toThrow(UnauthorizedException);
    await expect(guard.canActivate(withAuth('Bearer scrape-tokeN'))).rejects.toThrow(UnauthorizedException);
    await expect(guard.canActivate(withAuth())).rejects.toThrow(UnauthorizedException);
  });

  it('is closed when neither a scrape token nor a JWT secret is configured', async () => {
    const config = loadConfig({});
    const guard = new MetricsAuthGuard(config, new TokenVerifier(config));
    await expect(guard.canActivate(withAuth('Bearer anything'))).rejects.toThrow(UnauthorizedException);
  });
});
