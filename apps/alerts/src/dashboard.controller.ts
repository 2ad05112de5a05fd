import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import {
  Controller,
  Get,
  Header,
  Headers,
  NotFoundException,
  Param,
  Res,
  StreamableFile,
} from '@nestjs/common';
import type { Response } from 'express';
import { ownSocketsSource, repoRoot } from '@vigil/infra';

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * Pure: the dashboard page's CSP: its own script and style files only (nothing inline), a
 * WebSocket to its own origin (`host`, when it is a plain host[:port], named explicitly for
 * browsers whose 'self' does not cover ws:), nothing else.
 */
export function dashboardCsp(host?: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    ownSocketsSource(host),
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The on-call dashboard (apps/dashboard, built by `npm run build` into dist/dashboard): its page and
 * its hashed asset files. The page authenticates on its WebSocket; no token is ever in a URL.
 */
@Controller()
export class DashboardController {
  private readonly dir = join(repoRoot(), 'dist', 'dashboard');
  private html: string | null = null;

  @Get()
  @Header('Cache-Control', 'no-store')
  page(@Headers('host') host: string | undefined, @Res({ passthrough: true }) res: Response): string {
    this.html ??= existsSync(join(this.dir, 'index.html'))
      ? readFileSync(join(this.dir, 'index.html'), 'utf8')
      : null;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    if (this.html === null) {
      res.status(503);
      return '<!doctype html><title>Vigil</title><h1>The dashboard is not built: run <code>npm run build</code>.</h1>';
    }
    res.setHeader('Content-Security-Policy', dashboardCsp(host));
    return this.html;
  }

  @Get('assets/:file')
  @Header('Cache-Control', 'public, max-age=31536000, immutable')
  asset(@Param('file') file: string): StreamableFile {
    const type = TYPES[extname(file)];
    const path = join(this.dir, 'assets', file);
    if (!/^[A-Za-z0-9._-]+$/.test(file) || type === undefined || !existsSync(path))
      throw new NotFoundException();
    return new StreamableFile(readFileSync(path), { type });
  }
}
