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
