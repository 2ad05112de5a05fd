import { originAllowed } from './origin-policy';

describe(originAllowed.name, () => {
  it('allows clients without an Origin (not browsers) and the dashboard’s own origin', () => {
    expect(originAllowed(undefined, '127.0.0.1:3000', [])).toBe(true);
    expect(originAllowed('http://127.0.0.1:3000', '127.0.0.1:3000', [])).toBe(true);
    expect(originAllowed('https://Ward.Example.org', 'ward.example.org', [])).toBe(true);
  });

  it('allows configured origins and refuses every other one', () => {
    const allowed = ['https://portal.example.org'];
    expect(originAllowed('https://portal.example.org', '127.0.0.1:3000', allowed)).toBe(true);
    expect(originAllowed('https://evil.example', '127.0.0.1:3000', allowed)).toBe(false);
    expect(originAllowed('http://127.0.0.1:3001', '127.0.0.1:3000', allowed)).toBe(false);
    expect(originAllowed('null', '127.0.0.1:3000', allowed)).toBe(false);
    expect(originAllowed('file://', '127.0.0.1:3000', allowed)).toBe(false);
  });
});
