import { createHash } from 'node:crypto';
import { type INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * The CSP of every Vigil response that is not a page: JSON APIs, metrics, health. Nothing may load,
 * nothing may frame it.
 */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Pure: the headers every HTTP response of every Vigil app carries. */
export function securityHeaders(csp: string = API_CSP): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * The CSP `connect-src` of a page that opens a WebSocket to its own origin: `host` (the request's
 * Host, only when it is a plain host[:port]) named explicitly for browsers whose 'self' does not
 * cover ws:; anything else in Host is ignored (no header injection).
 */
export function ownSocketsSource(host?: string): string {
  const origin =
    host !== undefined && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:]+\](:\d{1,5})?$/.test(host)
      ? host
      : null;
  return `connect-src 'self'${origin === null ? '' : ` ws://${origin} wss://${origin}`}`;
}

/**
 * Pure: a CSP for a page whose script and style are inline (the alerts dashboard): exactly those
 * blocks may run, by hash (no 'unsafe-inline'), it may open a WebSocket to its own origin, and
 * nothing else loads. `host` (the request's Host, when it is a plain host[:port]) names that origin
 * explicitly for browsers whose 'self' does not cover ws:.
 */
export function inlinePageCsp(html: string, host?: string): string {
  const blocks = (tag: string) =>
    [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => sha256(m[1]));
  const scripts = blocks('script');
  const styles = blocks('style');
  return [
    "default-src 'none'",
    `script-src ${scripts.length > 0 ? scripts.join(' ') : "'none'"}`,
    `style-src ${styles.length > 0 ? styles.join(' ') : "'none'"}`,
    ownSocketsSource(host),
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Every response of `app` gets securityHeaders() and no X-Powered-By. Call before routes that
 * others mount on the HTTP adapter (OpenAPI docs), as bootstrapApp does; a route may still set a
 * CSP of its own (a page), which replaces the API one.
 */
export function applySecurityHeaders(app: INestApplication): void {
  const instance: unknown = app.getHttpAdapter().getInstance();
  if (typeof (instance as { disable?: unknown }).disable === 'function')
    (instance as { disable(name: string): void }).disable('x-powered-by');
  const headers = Object.entries(securityHeaders());
  app.use((_req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    res.removeHeader('X-Powered-By');
    next();
  });
}

/** The CSP of a path prefix that serves a third-party page (Swagger UI: its own scripts, inline styles). */
export function allowPageUnder(app: INestApplication, prefix: string): void {
  const csp =
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  app.use(prefix, (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', csp);
    next();
  });
}
