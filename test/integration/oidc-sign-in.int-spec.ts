import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';
import { signToken } from '@vigil/alerting';
import { loadConfig } from '@vigil/config';
import { TokenVerifier } from '@vigil/infra';
import { AlertsModule } from '@vigil/alerts';
import { IngestModule } from '@vigil/ingest';
import { deleteTopics, type RunningApp, startApp, testSettings, uniqueId } from '@vigil/testing';

/**
 * Hospital sign-in: a real OpenID Connect provider's public side (discovery document + JWKS over
 * HTTP, served by this test from a generated key set), Vigil's one TokenVerifier, and the one
 * JWT/roles guard on the alerts gateway's REST and ingest's registry API (real Kafka, Redis, MQTT).
 */
describe('OpenID Connect tokens (real JWKS endpoint; gateway and registry on the real stack)', () => {
  const id = uniqueId('it-oidc');
  let provider: Server;
  let issuer: string;
  const keys: { kid: string; privateKey: KeyLike; jwk: JWK }[] = [];
  let published: JWK[] = [];

  const addKey = async (kid: string) => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    keys.push({ kid, privateKey, jwk });
    return jwk;
  };
  const hospitalToken = async (
    claims: Record<string, unknown>,
    opts: { kid?: string; iss?: string; aud?: string; exp?: number | string; signWith?: string } = {},
  ) => {
    const key = keys.find((k) => k.kid === (opts.signWith ?? opts.kid ?? 'k1'));
    if (!key) throw new Error('no such key');
    return new SignJWT({ realm_access: { roles: ['vigil-oncall'] }, care_teams: ['ward-3'], ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? key.kid })
      .setSubject('u-1001')
      .setIssuer(opts.iss ?? issuer)
      .setAudience(opts.aud ?? 'vigil-ward')
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '10m')
      .sign(key.privateKey);
  };

  const env = () => ({
    VIGIL_OIDC_ISSUER: issuer,
    VIGIL_OIDC_AUDIENCE: 'vigil-ward',
    VIGIL_OIDC_ROLES_CLAIM: 'realm_access.roles',
    VIGIL_OIDC_ROLE_PREFIX: 'vigil-',
  });

  beforeAll(async () => {
    published = [await addKey('k1')];
    await addKey('k-unpublished');
    provider = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/realms/ward/.well-known/openid-configuration')
        res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/protocol/openid-connect/certs` }));
      else if (req.url === '/realms/ward/protocol/openid-connect/certs') {
        res.end(JSON.stringify({ keys: published }));
      } else res.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/realms/ward`;
  });

  afterAll(async () => {
    await new Promise((resolve) => provider.close(resolve));
  });

  describe(TokenVerifier.name, () => {
    let verifier: TokenVerifier;
    beforeAll(() => {
      verifier = new TokenVerifier(loadConfig({ ...env(), VIGIL_JWT_SECRET: `local-${id}` }));
    });

    it('accepts a valid token: keys found by discovery, role and care teams from the claims', async () => {
      await expect(verifier.verify(await hospitalToken({}))).resolves.toEqual({
        sub: 'u-1001',
        role: 'oncall',
        teams: ['ward-3'],
      });
    });

    it('still accepts the local HS256 issuer (npm start) beside the hospital’s, and refuses forged or expired ones', async () => {
      const local = signToken({ sub: 'n', role: 'clinician', teams: ['team-a'] }, `local-${id}`);
      await expect(verifier.verify(local)).resolves.toMatchObject({ sub: 'n', role: 'clinician' });
      const forged = signToken({ sub: 'n', role: 'admin', teams: [] }, 'another-secret');
      await expect(verifier.verify(forged)).rejects.toThrow(/signature/);
      const expired = signToken({ sub: 'n', role: 'clinician', teams: [] }, `local-${id}`, -10);
      await expect(verifier.verify(expired)).rejects.toThrow(/exp/);
    });

    it('refuses a wrong issuer, a wrong audience, an expired token and one without a Vigil role', async () => {
      await expect(
        verifier.verify(await hospitalToken({}, { iss: 'https://evil.example/' })),
      ).rejects.toThrow(/iss/);
      await expect(verifier.verify(await hospitalToken({}, { aud: 'another-app' }))).rejects.toThrow(/aud/);
      const past = Math.floor(Date.now() / 1000) - 3600;
      await expect(verifier.verify(await hospitalToken({}, { exp: past }))).rejects.toThrow(/exp/);
      await expect(
        verifier.verify(await hospitalToken({ realm_access: { roles: ['offline_access'] } })),
      ).rejects.toThrow(/no Vigil role/);
    });

    it('refuses an unknown kid and a key the provider did not publish', async () => {
      await expect(verifier.verify(await hospitalToken({}, { kid: 'k-unpublished' }))).rejects.toThrow(
        /no applicable key|matching/i,
      );
      // A token claiming the published kid but signed with another key: the signature fails.
      await expect(
        verifier.verify(await hospitalToken({}, { kid: 'k1', signWith: 'k-unpublished' })),
      ).rejects.toThrow(/signature/);
    });

    it('refuses a local token when no local secret is configured, and an alg=none token', async () => {
      const hospitalOnly = new TokenVerifier(loadConfig(env()));
      const local = signToken({ sub: 'n', role: 'admin', teams: [] }, 'whatever-secret');
      await expect(hospitalOnly.verify(local)).rejects.toThrow(/VIGIL_JWT_SECRET/);
      const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
        JSON.stringify({ sub: 'x', iss: issuer, aud: 'vigil-ward', roles: ['admin'] }),
      ).toString('base64url')}.`;
      await expect(hospitalOnly.verify(none)).rejects.toThrow(/alg|Unsupported|not allowed/i);
    });
  });

  describe('the shared guard on the real apps', () => {
    let alerts: RunningApp;
    let ingest: RunningApp;
    let settingsPrefix: ReturnType<typeof testSettings>;

    beforeAll(async () => {
      settingsPrefix = testSettings(id, env());
      alerts = await startApp(AlertsModule.forRoot(settingsPrefix));
      ingest = await startApp(IngestModule.forRoot(settingsPrefix));
    }, 60_000);

    afterAll(async () => {
      await ingest?.app.close();
      await alerts?.app.close();
      await deleteTopics(settingsPrefix);
    }, 60_000);

    const get = async (url: string, token?: string) =>
      (await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} })).status;

    it('lets a hospital token into the gateway’s REST and refuses bad ones with 401', async () => {
      expect(await get(`${alerts.url}/alerts`, await hospitalToken({}))).toBe(200);
      expect(await get(`${alerts.url}/alerts`, await hospitalToken({}, { aud: 'x' }))).toBe(401);
      expect(await get(`${alerts.url}/alerts`)).toBe(401);
    });

    it('lets only an admin (by the provider’s roles) into ingest’s registry API: 401, 403, 200', async () => {
      const admin = await hospitalToken({ realm_access: { roles: ['vigil-admin'] } });
      expect(await get(`${ingest.url}/registry/devices`, admin)).toBe(200);
      expect(await get(`${ingest.url}/registry/devices`, await hospitalToken({}))).toBe(403);
      expect(await get(`${ingest.url}/registry/devices`, await hospitalToken({}, { iss: 'x' }))).toBe(401);
      // /metrics of the gateway takes the same admin token.
      expect(await get(`${alerts.url}/metrics`, admin)).toBe(200);
    });
  });
});
