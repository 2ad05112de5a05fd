import { createHash } from 'node:crypto';
import { inlinePageCsp, securityHeaders } from './security-headers';

describe(securityHeaders.name, () => {
  it('forbids framing, sniffing and referrers, and loads nothing by default', () => {
    expect(securityHeaders()).toMatchObject({
      'Content-Security-Policy': expect.stringContaining("default-src 'none'") as string,
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
  });
});

describe(inlinePageCsp.name, () => {
  const html = '<html><style>body{color:red}</style><script>console.log(1)</script></html>';
  const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

  it('allows exactly the inline blocks of the page, by hash, and its own WebSocket', () => {
    const csp = inlinePageCsp(html, '127.0.0.1:3000');
    expect(csp).toContain(`script-src ${hash('console.log(1)')}`);
    expect(csp).toContain(`style-src ${hash('body{color:red}')}`);
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:3000 wss://127.0.0.1:3000");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('does not put a strange Host header into the policy', () => {
    expect(inlinePageCsp(html, 'evil; script-src *')).toContain("connect-src 'self'; ");
  });
});
