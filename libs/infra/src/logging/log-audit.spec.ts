import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pseudonym } from './pseudonym';

/**
 * No patient identity in logs at info level or above: no log call in apps/ or libs/ interpolates a
 * patient id or an alert id (which starts with the patient id) unless through `pseudonym()`.
 * Debug and verbose lines are for a developer's machine and are not checked.
 */
const root = join(__dirname, '..', '..', '..', '..');
const IDENTITY = /patient|alertId|\.key\b/i;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The argument text of each `.log(` / `.warn(` / `.error(` / `.fatal(` call on a logger. */
function logCalls(code: string): string[] {
  const calls: string[] = [];
  for (const m of code.matchAll(/(?:logger|Logger\([^)]*\))\s*\.\s*(?:log|warn|error|fatal)\(/g)) {
    let depth = 1;
    let i = (m.index ?? 0) + m[0].length;
    const start = i;
    for (; i < code.length && depth > 0; i++) {
      if (code[i] === '(') depth++;
      else if (code[i] === ')') depth--;
    }
    calls.push(code.slice(start, i - 1));
  }
  return calls;
}

describe('log lines at info level and above', () => {
  it('carry no patient identity', () => {
    const offending: string[] = [];
    let checked = 0;
    for (const file of [...sources(join(root, 'apps')), ...sources(join(root, 'libs'))]) {
      for (const call of logCalls(readFileSync(file, 'utf8'))) {
        checked++;
        const interpolated = [...call.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]);
        for (const expr of interpolated)
          if (IDENTITY.test(expr) && !expr.includes('pseudonym('))
            offending.push(`${relative(root, file)}: \${${expr}}`);
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(offending).toEqual([]);
  });

  it('refer to a patient by a stable pseudonym', () => {
    expect(pseudonym('pat-0001.clinical.1700000000000')).toMatch(/^ref-[0-9a-f]{12}$/);
    expect(pseudonym('pat-0001')).toBe(pseudonym('pat-0001'));
    expect(pseudonym('pat-0001')).not.toContain('0001');
  });
});
