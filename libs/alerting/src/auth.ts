import { decode, verify, sign } from 'jsonwebtoken';
import { z } from 'zod';

export const ROLES = ['clinician', 'oncall', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A person, from their JWT: subject, role, and the care teams whose patients they may see. */
export interface User {
  readonly sub: string;
  readonly role: Role;
  readonly teams: readonly string[];
}

const claims = z.object({
  sub: z.string().min(1),
  role: z.enum(ROLES),
  teams: z.array(z.string()).default([]),
});

export class AuthError extends Error {
  override readonly name = 'AuthError';
}

/** Verifies an HS256 token and returns its user, or throws AuthError with a reason. */
export function verifyToken(token: string | undefined, secret: string): User {
  if (!token) throw new AuthError('missing bearer token');
  let payload: unknown;
  try {
    payload = verify(token, secret, { algorithms: ['HS256'] });
  } catch (error) {
    throw new AuthError(`invalid token: ${error instanceof Error ? error.message : String(error)}`);
  }
  return localUserFromClaims(payload);
}

/** The user of a verified local (HS256) token: sub, role and teams claims as Vigil's issuer writes them. */
export function localUserFromClaims(payload: unknown): User {
  const parsed = claims.safeParse(payload);
  if (!parsed.success) throw new AuthError('token lacks sub, role (clinician|oncall|admin) or teams');
  return parsed.data;
}

/**
 * When a verified token stops being valid (epoch ms), from its `exp` claim; undefined for a token
 * without one. Open WebSockets are closed at this instant: the person reconnects with a fresh token.
 */
export function tokenExpiresAt(token: string): number | undefined {
  const payload = decode(token, { json: true });
  return typeof payload?.exp === 'number' ? payload.exp * 1000 : undefined;
}

export function signToken(user: User, secret: string, expiresInSeconds = 12 * 3600): string {
  return sign({ sub: user.sub, role: user.role, teams: user.teams }, secret, {
    algorithm: 'HS256',
    expiresIn: expiresInSeconds,
  });
}

/** "Bearer x" header, or ?token=x (browsers cannot set headers on a WebSocket). */
export function tokenFrom(authorization: string | undefined, url: string | undefined): string | undefined {
  if (authorization?.startsWith('Bearer ')) return authorization.slice(7);
  if (url) return new URL(url, 'http://localhost').searchParams.get('token') ?? undefined;
  return undefined;
}

/** Where a hospital's tokens carry a person's roles and care teams (VIGIL_OIDC_*_CLAIM, _ROLE_PREFIX). */
export interface ClaimMapping {
  /** Dotted path to a string or list of strings, e.g. `roles` or `realm_access.roles`. */
  readonly rolesClaim: string;
  readonly teamsClaim: string;
  /** Only values with this prefix name Vigil roles (`vigil-admin` → admin); '' takes values as they are. */
  readonly rolePrefix: string;
}

const RANK: Readonly<Record<Role, number>> = { clinician: 0, oncall: 1, admin: 2 };

function claimAt(payload: Readonly<Record<string, unknown>>, path: string): unknown {
  if (path in payload) return payload[path]; // a claim name with dots of its own (URLs, namespaced claims)
  let at: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * A verified OpenID Connect token's claims → Vigil's user: the subject, the highest Vigil role among
 * the role values (a person who is both clinician and admin acts as admin), and the care teams.
 * Pure; the signature, issuer, audience and expiry were checked before.
 */
export function userFromClaims(payload: Readonly<Record<string, unknown>>, mapping: ClaimMapping): User {
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub === '') throw new AuthError('token lacks sub');
  const roles = strings(claimAt(payload, mapping.rolesClaim))
    .filter((r) => r.startsWith(mapping.rolePrefix))
    .map((r) => r.slice(mapping.rolePrefix.length))
    .filter((r): r is Role => (ROLES as readonly string[]).includes(r));
  if (roles.length === 0)
    throw new AuthError(
      `token names no Vigil role (${ROLES.map((r) => mapping.rolePrefix + r).join('|')}) in claim ${mapping.rolesClaim}`,
    );
  const role = roles.reduce((best, r) => (RANK[r] > RANK[best] ? r : best));
  return { sub, role, teams: [...new Set(strings(claimAt(payload, mapping.teamsClaim)))] };
}
