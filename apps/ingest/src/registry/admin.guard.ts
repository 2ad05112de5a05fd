import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { type Request } from 'express';
import { AuthError, tokenFrom, verifyToken } from '@vigil/alerting';
import { type Settings } from '@vigil/config';
import { CONFIG } from '@vigil/infra';

/** The registry API is for admins: `Authorization: Bearer <JWT>` (Vigil's HS256 tokens) with role admin. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(CONFIG) private readonly config: Settings) {}

  canActivate(context: ExecutionContext): boolean {
    const secret = this.config.jwtSecret;
    if (secret === undefined)
      throw new UnauthorizedException('the registry API needs VIGIL_JWT_SECRET to be set');
    const request = context.switchToHttp().getRequest<Request>();
    try {
      const user = verifyToken(tokenFrom(request.headers.authorization, undefined), secret);
      if (user.role !== 'admin') throw new ForbiddenException('the registry API needs the admin role');
      return true;
    } catch (error) {
      if (error instanceof AuthError) throw new UnauthorizedException(error.message);
      throw error;
    }
  }
}
