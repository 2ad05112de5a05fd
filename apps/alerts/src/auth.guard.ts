/**
 * Every REST call of the gateway carries a person's JWT (Authorization: Bearer …): the shared
 * JWT/roles guard of libs/infra (local HS256 or the hospital's OpenID Connect provider).
 */
export { CurrentUser, JwtGuard, RequireRoles } from '@vigil/infra';
