/**
 * May a WebSocket handshake with this Origin header proceed? Browsers always send Origin, so a
 * page on another site cannot ride on a clinician's token (cross-site WebSocket hijacking):
 * - no Origin: not a browser (a CLI, a monitoring probe, a ward system) — allowed, the token decides;
 * - the gateway's own origin (the dashboard it serves: Origin's host equals the request's Host);
 * - an origin listed in VIGIL_ALERTS_ALLOWED_ORIGINS (a hospital portal embedding the feed).
 * Everything else, including the literal "null" origin of sandboxed frames and files, is refused.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined || origin === '') return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  if (host !== undefined && parsed.host === host.toLowerCase()) return true;
  return allowed.includes(parsed.origin);
}
