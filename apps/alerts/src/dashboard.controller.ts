import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header, Headers, Res } from '@nestjs/common';
import type { Response } from 'express';
import { inlinePageCsp, repoRoot } from '@vigil/infra';

/** The on-call dashboard: one static page that talks to /ws with the token from its URL. */
@Controller()
export class DashboardController {
  private readonly html = readFileSync(join(repoRoot(), 'apps', 'alerts', 'public', 'index.html'), 'utf8');

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(@Headers('host') host: string | undefined, @Res({ passthrough: true }) res: Response): string {
    // Its inline script and style may run (by hash), nothing else; it talks to its own /ws.
    res.setHeader('Content-Security-Policy', inlinePageCsp(this.html, host));
    return this.html;
  }
}
