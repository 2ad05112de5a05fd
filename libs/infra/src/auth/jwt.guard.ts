import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Request } from 'express';
import { AuthError, type Role, type User, tokenFrom } from '@vigil/alerting';
import { TokenVerifier } from './token-verifier';

type AuthedRequest = Request & { user?: User };

const ROLES_KEY = 'vigil:roles';

/** Only these roles may call the controller or handler (the JwtGuard checks it; 403 otherwise). */
export const RequireRoles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES_KEY, roles);

/** Whom a WebSocket authenticated as (its `auth` message or header), and until when its token is valid. */
export interface SocketAuth {
  readonly user: User;
  /** Epoch ms at which the token stops being valid (undefined: a token without `exp`). */
  readonly expiresAt: number | undefined;
}

/** Per socket: the authentication under way or done (a socket that never authenticated has none). */
const socketAuths = new WeakMap<object, Promise<SocketAuth>>();
/** Per socket: the authentication once it succeeded (what `@CurrentUser()` reads on ws handlers). */
const settledAuths = new WeakMap<object, SocketAuth>();

/**
 * Records what a WebSocket authenticates as (the gateway calls it at `auth`, before verification
 * ends): the JwtGuard on that socket's message handlers waits for it, so a message that races the
 * verification is neither lost nor let through unauthenticated.
 */
export function setSocketAuth(socket: object, auth: Promise<SocketAuth>): void {
  const settled = auth.then((a) => (settledAuths.set(socket, a), a));
  settled.catch(() => undefined); // the gateway handles the refusal; a guard waiting on it refuses too
  socketAuths.set(socket, settled);
}

/** The user a socket authenticated as, once it did (undefined before, or when it failed). */
export function socketUser(socket: object): User | undefined {
  return settledAuths.get(socket)?.user;
}

/**
 * The one JWT/roles guard of Vigil's APIs (the alerts gateway's REST and WebSocket messages,
 * ingest's registry):
 * - HTTP: a bearer token verified by TokenVerifier (local HS256 or the hospital's OpenID Connect
 *   provider) → 401 with the reason; the user is on the request for `@CurrentUser()`;
 * - WebSocket: the user the socket authenticated as (`setSocketAuth`, at its `auth` message or
 *   header) → UnauthorizedException 'authenticate first' when there is none, 'token expired' once
 *   its token's `exp` has passed (the gateway turns both into the close code 4401);
 * - either way, a role outside `@RequireRoles(…)` → ForbiddenException (403 / an error reply).
 */
@Injectable()
export class JwtGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    return this.authorise(context, roles);
  }

  /** Verifies the caller (request token or socket's authentication) and, when `roles` is given, its role. */
  async authorise(context: ExecutionContext, roles: readonly Role[] | undefined): Promise<boolean> {
    const user =
      context.getType() === 'ws' ? await this.socketCaller(context) : await this.httpCaller(context);
    if (roles && !roles.includes(user.role))
      throw new ForbiddenException(`this needs the ${roles.join(' or ')} role (you are ${user.role})`);
    return true;
  }

  private async httpCaller(context: ExecutionContext): Promise<User> {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    try {
      request.user = await this.verifier.verify(tokenFrom(request.headers.authorization, undefined));
      return request.user;
    } catch (error) {
      throw new UnauthorizedException(error instanceof AuthError ? error.message : 'unauthorised');
    }
  }

  private async socketCaller(context: ExecutionContext): Promise<User> {
    const pending = socketAuths.get(context.switchToWs().getClient<object>());
    if (pending === undefined) throw new UnauthorizedException('authenticate first');
    const auth = await pending.catch(() => {
      throw new UnauthorizedException('authenticate first');
    });
    if (auth.expiresAt !== undefined && Date.now() >= auth.expiresAt)
      throw new UnauthorizedException('token expired');
    return auth.user;
  }
}

/** The caller the JwtGuard let through: the request's user (HTTP) or the socket's (WebSocket). */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): User => {
  if (context.getType() === 'ws') return socketUser(context.switchToWs().getClient<object>()) as User;
  return context.switchToHttp().getRequest<AuthedRequest>().user as User;
});
