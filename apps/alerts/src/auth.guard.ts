import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import { type Request } from 'express';
import { type Settings } from '@vigil/config';
import { AuthError, type User, tokenFrom, verifyToken } from '@vigil/alerting';
import { CONFIG } from '@vigil/infra';

type AuthedRequest = Request & { user?: User };

/** Every REST call carries a clinician's JWT (Authorization: Bearer …). */
@Injectable()
export class JwtGuard implements CanActivate {
  constructor(@Inject(CONFIG) private readonly config: Settings) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    try {
      request.user = verifyToken(
        tokenFrom(request.headers.authorization, undefined),
        this.config.jwtSecret ?? '',
      );
      return true;
    } catch (error) {
      throw new UnauthorizedException(error instanceof AuthError ? error.message : 'unauthorised');
    }
  }
}

export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): User => {
  return context.switchToHttp().getRequest<AuthedRequest>().user as User;
});
