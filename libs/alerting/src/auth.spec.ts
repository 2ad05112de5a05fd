import { sign } from 'jsonwebtoken';
import { AuthError, signToken, tokenExpiresAt, tokenFrom, userFromClaims, verifyToken } from './auth';

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

describe(userFromClaims.name, () => {
  const mapping = { rolesClaim: 'realm_access.roles', teamsClaim: 'care_teams', rolePrefix: 'vigil-' };

  it('takes the highest Vigil role among the provider’s roles, and the care teams', () => {
    expect(
      userFromClaims(
        {
          sub: 'u-17',
          realm_access: { roles: ['offline_access', 'vigil-clinician', 'vigil-oncall'] },
          care_teams: ['ward-3', 'ward-3', 'icu'],
        },
        mapping,
      ),
    ).toEqual({ sub: 'u-17', role: 'oncall', teams: ['ward-3', 'icu'] });
  });

  it('reads a space-separated string, and a claim whose name has dots of its own', () => {
    expect(
      userFromClaims(
        { sub: 'u', 'https://h.example/roles': 'admin', care_teams: 'a b' },
        { rolesClaim: 'https://h.example/roles', teamsClaim: 'care_teams', rolePrefix: '' },
      ),
    ).toEqual({ sub: 'u', role: 'admin', teams: ['a', 'b'] });
  });

  it('refuses a token without sub or without any Vigil role (unprefixed values do not count)', () => {
    expect(() => userFromClaims({ realm_access: { roles: ['vigil-admin'] } }, mapping)).toThrow(/sub/);
    expect(() => userFromClaims({ sub: 'u', realm_access: { roles: ['admin'] } }, mapping)).toThrow(
      /no Vigil role/,
    );
    expect(() => userFromClaims({ sub: 'u' }, mapping)).toThrow(AuthError);
  });
});
