import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Command } from 'commander';
import { exportJWK, generateKeyPair, type KeyLike, SignJWT } from 'jose';
import { loadConfig } from '@vigil/config';
import { signToken, verifyToken } from '@vigil/alerting';
import { TokenVerifier } from '@vigil/infra';
import { Output, table } from '../output';

interface AuthBenchOptions {
  seconds: number;
  json?: boolean;
}

/**
 * `vigil bench auth`: tokens verified per second by the one TokenVerifier every REST call, /metrics
 * and WebSocket handshake goes through — the local HS256 issuer and a hospital OpenID Connect
 * provider (RS256 and ES256, keys from a JWKS endpoint this command serves on 127.0.0.1, cached
 * after the first token) — beside jsonwebtoken's HS256 verify, which it replaced.
 */
export function registerAuthBench(bench: Command): void {
  bench
    .command('auth')
    .description('Tokens verified per second: local HS256 and OpenID Connect (RS256, ES256 via a local JWKS)')
    .option('--seconds <s>', 'time spent measuring each case', Number, 2)
    .option('--json', 'print one JSON object as the last line')
    .action((options: AuthBenchOptions) => run(options));
}

async function run(options: AuthBenchOptions): Promise<void> {
  const out = new Output(options);
  const rsa = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rs', alg: 'RS256' },
    { ...(await exportJWK(ec.publicKey)), kid: 'es', alg: 'ES256' },
  ];
  const server = createServer((_, res) => res.end(JSON.stringify({ keys })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwks = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  const secret = 'bench-local-secret-0123456789';
  const verifier = new TokenVerifier(
    loadConfig({
      VIGIL_OIDC_ISSUER: 'https://idp.bench',
      VIGIL_OIDC_JWKS_URL: jwks,
      VIGIL_JWT_SECRET: secret,
    }),
  );
  const hospital = (alg: 'RS256' | 'ES256', kid: string, key: KeyLike) =>
    new SignJWT({ roles: ['clinician'], care_teams: ['ward-3'] })
      .setProtectedHeader({ alg, kid })
      .setSubject('u-1')
      .setIssuer('https://idp.bench')
      .setAudience('vigil')
      .setExpirationTime('1h')
      .sign(key);
  const local = signToken({ sub: 'n', role: 'clinician', teams: ['ward-3'] }, secret);
  const cases: { name: string; verify: () => unknown }[] = [
    { name: 'TokenVerifier, local HS256 (jose)', verify: () => verifier.verify(local) },
    { name: 'TokenVerifier, OIDC RS256 (JWKS cached)', verify: () => verifier.verify(rs) },
    { name: 'TokenVerifier, OIDC ES256 (JWKS cached)', verify: () => verifier.verify(es) },
    { name: 'jsonwebtoken HS256 verifyToken (before)', verify: () => verifyToken(local, secret) },
  ];
  const rs = await hospital('RS256', 'rs', rsa.privateKey);
  const es = await hospital('ES256', 'es', ec.privateKey);
  const results: { name: string; perSecond: number; microseconds: number }[] = [];
  try {
    for (const c of cases) {
      await c.verify(); // warm-up: the first OIDC token fetches the key set
      let n = 0;
      const t0 = performance.now();
      let elapsed = 0;
      while (elapsed < options.seconds * 1000 || n < 10) {
        await c.verify();
        n++;
        elapsed = performance.now() - t0;
      }
      results.push({
        name: c.name,
        perSecond: Math.round((n * 1000) / elapsed),
        microseconds: Math.round((elapsed * 1000) / n),
      });
    }
  } finally {
    server.close();
  }
  out.result({ cases: results }, () =>
    table(
      results.map((r) => [r.name, r.perSecond, r.microseconds]),
      ['verification (one core)', 'tokens/s', 'µs/token'],
    ),
  );
}
