import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';
import { repoRoot } from '@vigil/infra';

/** The on-call dashboard: one static page that talks to /ws with the token from its URL. */
@Controller()
export class DashboardController {
  private readonly html = readFileSync(join(repoRoot(), 'apps', 'alerts', 'public', 'index.html'), 'utf8');

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(): string {
    return this.html;
  }
}
