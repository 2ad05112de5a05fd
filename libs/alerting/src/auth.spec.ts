import { sign } from 'jsonwebtoken';
import { AuthError, signToken, tokenExpiresAt, tokenFrom, verifyToken } from './auth';

describe(verifyToken.name, () => {
  const secret = 'test-secret-0123456789';

  it('round-trips a user through a signed token', () => {
    const token = signToken({ sub: 'nurse-1', role: 'clinician', teams: ['team-a'] }, secret);
    expect(verifyToken(token, secret)).toEqual({ sub: 'nurse-1', role: 'clinician', teams: ['team-a'] });
  });

  it('refuses a missing token, a wrong secret and an unknown role', () => {
    expect(() => verifyToken(undefined, secret)).toThrow(AuthError);
    expect(() => verifyToken(signToken({ sub: 'x', role: 'admin', teams: [] }, 'other'), secret)).toThrow(
      /invalid signature/,
    );
    const bad = signToken({ sub: 'x', role: 'janitor' as 'admin', teams: [] }, secret);
    expect(() => verifyToken(bad, secret)).toThrow(/role/);
  });

  it('finds the token in a bearer header or the ?token= query', () => {
    expect(tokenFrom('Bearer abc', '/ws?token=zzz')).toBe('abc');
    expect(tokenFrom(undefined, '/ws?token=zzz')).toBe('zzz');
    expect(tokenFrom(undefined, '/ws')).toBeUndefined();
  });
});

describe(tokenExpiresAt.name, () => {
  it('is the exp claim in epoch ms, undefined without one', () => {
    expect(tokenExpiresAt(sign({ sub: 'n', exp: 2_000_000_000 }, 'test-secret-0123456789'))).toBe(
      2_000_000_000_000,
    );
    expect(
      tokenExpiresAt(sign({ sub: 'n' }, 'test-secret-0123456789', { noTimestamp: true })),
    ).toBeUndefined();
  });
});
