import { Module } from '@nestjs/common';
import { JwtGuard } from './jwt.guard';
import { TokenVerifier } from './token-verifier';

/** Token verification and the JWT/roles guard, for any app that serves people (alerts, ingest's registry). */
@Module({ providers: [TokenVerifier, JwtGuard], exports: [TokenVerifier, JwtGuard] })
export class AuthModule {}
