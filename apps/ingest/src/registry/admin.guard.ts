import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { JwtGuard } from '@vigil/infra';

/**
 * The registry API is for admins: the shared JwtGuard (a local HS256 or the hospital's OpenID
 * Connect token, `Authorization: Bearer …`) with the admin role; 401 without a valid token, 403 for
 * other roles.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly jwt: JwtGuard) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    return this.jwt.authorise(context, ['admin']);
  }
}
