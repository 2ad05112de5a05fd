import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { loadConfig } from '@vigil/config';
import { signToken, type User } from '@vigil/alerting';
import { JwtGuard, RequireRoles, setSocketAuth, socketUser } from './jwt.guard';
import { TokenVerifier } from './token-verifier';

const secret = 'jwt-guard-spec-secret-0123456789';
const nurse: User = { sub: 'nurse-1', role: 'clinician', teams: ['team-a'] };
const oncall: User = { sub: 'oncall-1', role: 'oncall', teams: [] };

class Handlers {
  anyone(): void {}
  @RequireRoles('oncall', 'admin')
  seniors(): void {}
}

/** A real execution context of a ws handler: (client, data, pattern), as Nest builds it. */
const wsContext = (client: object, handler: keyof Handlers) => {
  const context = new ExecutionContextHost([client, {}, handler], Handlers, Handlers.prototype[handler]);
  context.setType('ws');
  return context;
};
const httpContext = (authorization?: string) => {
  const request = { headers: { authorization } } as { headers: object; user?: User };
  const context = new ExecutionContextHost([request, {}], Handlers, Handlers.prototype.anyone);
  context.setType('http');
  return { context, request };
};

describe(JwtGuard.name, () => {
  const guard = new JwtGuard(new TokenVerifier(loadConfig({ VIGIL_JWT_SECRET: secret })), new Reflector());

  describe('on a WebSocket message handler', () => {
    it('refuses a socket that never authenticated', async () => {
      await expect(guard.canActivate(wsContext({}, 'anyone'))).rejects.toThrow(
        new UnauthorizedException('authenticate first'),
      );
    });

    it('lets through the user the socket authenticated as, and @CurrentUser reads it', async () => {
      const socket = {};
      setSocketAuth(socket, Promise.resolve({ user: nurse, expiresAt: Date.now() + 60_000 }));
      await expect(guard.canActivate(wsContext(socket, 'anyone'))).resolves.toBe(true);
      expect(socketUser(socket)).toEqual(nurse);
    });

    it('waits for an authentication under way instead of refusing a message that races it', async () => {
      const socket = {};
      let done!: (auth: { user: User; expiresAt: number | undefined }) => void;
      setSocketAuth(socket, new Promise((resolve) => (done = resolve)));
      const decision = guard.canActivate(wsContext(socket, 'anyone'));
      done({ user: nurse, expiresAt: undefined });
      await expect(decision).resolves.toBe(true);
    });

    it('refuses a socket whose authentication failed', async () => {
      const socket = {};
      setSocketAuth(socket, Promise.reject(new Error('invalid token')));
      await expect(guard.canActivate(wsContext(socket, 'anyone'))).rejects.toThrow(
        new UnauthorizedException('authenticate first'),
      );
      expect(socketUser(socket)).toBeUndefined();
    });

    it('refuses once the token expired, however long the socket has been open', async () => {
      const socket = {};
      setSocketAuth(socket, Promise.resolve({ user: nurse, expiresAt: Date.now() - 1 }));
      await expect(guard.canActivate(wsContext(socket, 'anyone'))).rejects.toThrow(
        new UnauthorizedException('token expired'),
      );
    });

    it('applies @RequireRoles to ws handlers as to REST ones', async () => {
      const nurses = {};
      const seniors = {};
      setSocketAuth(nurses, Promise.resolve({ user: nurse, expiresAt: undefined }));
      setSocketAuth(seniors, Promise.resolve({ user: oncall, expiresAt: undefined }));
      await expect(guard.canActivate(wsContext(nurses, 'seniors'))).rejects.toThrow(ForbiddenException);
      await expect(guard.canActivate(wsContext(seniors, 'seniors'))).resolves.toBe(true);
    });
  });

  describe('on an HTTP route', () => {
    it('verifies the bearer token and puts the user on the request', async () => {
      const { context, request } = httpContext(`Bearer ${signToken(nurse, secret)}`);
      await expect(guard.canActivate(context)).resolves.toBe(true);
      expect(request.user).toMatchObject({ sub: 'nurse-1', role: 'clinician' });
    });

    it('answers 401 without a token', async () => {
      await expect(guard.canActivate(httpContext().context)).rejects.toThrow(UnauthorizedException);
    });
  });
});
