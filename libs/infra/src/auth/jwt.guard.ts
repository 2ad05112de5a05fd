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

/**
 * The one JWT/roles guard of Vigil's REST APIs (the alerts gateway's, ingest's registry): a bearer
 * token verified by TokenVerifier (local HS256 or the hospital's OpenID Connect provider) → 401 with
 * the reason; a role outside `@RequireRoles(…)` → 403. The user is on the request for `@CurrentUser()`.
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

  /** Verifies the request's token and, when `roles` is given, that the person has one of them. */
  async authorise(context: ExecutionContext, roles: readonly Role[] | undefined): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    let user: User;
    try {
      user = await this.verifier.verify(tokenFrom(request.headers.authorization, undefined));
    } catch (error) {
      throw new UnauthorizedException(error instanceof AuthError ? error.message : 'unauthorised');
    }
    if (roles && !roles.includes(user.role))
      throw new ForbiddenException(`this needs the ${roles.join(' or ')} role (you are ${user.role})`);
    request.user = user;
    return true;
  }
}

export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): User => {
  return context.switchToHttp().getRequest<AuthedRequest>().user as User;
});
