import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyOptions,
} from 'jose';
import { type Settings } from '@vigil/config';
import {
  AuthError,
  type ClaimMapping,
  localUserFromClaims,
  type User,
  userFromClaims,
} from '@vigil/alerting';
import { CONFIG } from '../nest/config.module';

/** Algorithms a hospital's provider may sign with (asymmetric only: the HS family is Vigil's own issuer). */
const OIDC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

type KeySet = ReturnType<typeof createRemoteJWKSet>;

/**
 * The one place a person's token is verified, for every REST guard, /metrics and the WebSocket:
 * `verify(token)` resolves to the user or rejects with AuthError (its message says why).
 *
 * - HS256 tokens: Vigil's local issuer (`vigil token`, `npm start`), checked with VIGIL_JWT_SECRET;
 *   refused when that is unset.
 * - Asymmetrically signed tokens: the hospital's OpenID Connect provider (VIGIL_OIDC_ISSUER): issuer,
 *   audience (VIGIL_OIDC_AUDIENCE), expiry and signature against its JWKS (VIGIL_OIDC_JWKS_URL, or
 *   the jwks_uri its discovery document names), with `jose`. Keys are cached; a token with an
 *   unknown `kid` refetches the set (at most every 30 s), so the provider's key rotation needs no restart.
 *   Roles and care teams come from the claims VIGIL_OIDC_ROLES_CLAIM / _TEAMS_CLAIM name.
 */
@Injectable()
export class TokenVerifier {
  private readonly logger = new Logger(TokenVerifier.name);
  private keys: Promise<KeySet> | null = null;
  private readonly mapping: ClaimMapping;
  private readonly localKey: Uint8Array | undefined;

  constructor(@Inject(CONFIG) private readonly config: Settings) {
    this.localKey = config.jwtSecret === undefined ? undefined : new TextEncoder().encode(config.jwtSecret);
    this.mapping = {
      rolesClaim: config.oidcRolesClaim,
      teamsClaim: config.oidcTeamsClaim,
      rolePrefix: config.oidcRolePrefix,
    };
  }

  async verify(token: string | undefined): Promise<User> {
    if (!token) throw new AuthError('missing bearer token');
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new AuthError('invalid token: not a JWT');
    }
    if (alg?.startsWith('HS')) {
      if (this.localKey === undefined)
        throw new AuthError('local (HS256) tokens are not accepted here: VIGIL_JWT_SECRET is not set');
      // jose, not jsonwebtoken: about 70 µs a token here against 3 ms.
      return localUserFromClaims(
        (await this.checked(token, this.localKey, { algorithms: ['HS256'] })).payload,
      );
    }
    const issuer = this.config.oidcIssuer;
    if (issuer === undefined)
      throw new AuthError(`token signed with ${alg ?? 'nothing'}, but no VIGIL_OIDC_ISSUER is configured`);
    const { payload } = await this.checked(token, await this.keySet(issuer), {
      issuer,
      audience: this.config.oidcAudience,
      algorithms: OIDC_ALGORITHMS,
      requiredClaims: ['exp', 'sub'],
      clockTolerance: 5,
    });
    return userFromClaims(payload, this.mapping);
  }

  private async checked(
    token: string,
    key: Uint8Array | KeySet,
    options: JWTVerifyOptions,
  ): Promise<{ payload: JWTPayload }> {
    try {
      // Both overloads of jwtVerify (a key, or a key set) take the same options.
      return typeof key === 'function'
        ? await jwtVerify(token, key, options)
        : await jwtVerify(token, key, options);
    } catch (error) {
      if (error instanceof errors.JOSEError) throw new AuthError(`invalid token: ${error.message}`);
      throw new AuthError(`could not verify the token: ${String(error)}`);
    }
  }

  private keySet(issuer: string): Promise<KeySet> {
    this.keys ??= this.jwksUrl(issuer).then(
      (url) => createRemoteJWKSet(url, { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 }),
      (error: unknown) => {
        this.keys = null; // try discovery again with the next token
        throw error;
      },
    );
    return this.keys;
  }

  private async jwksUrl(issuer: string): Promise<URL> {
    if (this.config.oidcJwksUrl !== undefined) return new URL(this.config.oidcJwksUrl);
    const discovery = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let body: unknown;
    try {
      const response = await fetch(discovery, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = await response.json();
    } catch (error) {
      this.logger.warn(`OpenID discovery at ${discovery} failed: ${String(error)}`);
      throw new AuthError(`cannot reach the identity provider's discovery document (${discovery})`);
    }
    const jwks = (body as { jwks_uri?: unknown }).jwks_uri;
    if (typeof jwks !== 'string') throw new AuthError(`${discovery} names no jwks_uri`);
    return new URL(jwks);
  }
}
