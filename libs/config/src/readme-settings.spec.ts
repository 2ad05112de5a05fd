import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingsMarkdown } from './load-config';

describe('README configuration table', () => {
  it('lists exactly the settings the loader reads (regenerate with `vigil config --markdown`)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const table = /<!-- settings:begin[^\n]*\n([\s\S]*?)\n<!-- settings:end -->/.exec(readme)?.[1];
    expect(table).toBe(settingsMarkdown());
  });
});
