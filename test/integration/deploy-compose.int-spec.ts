import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { loadConfig, SETTINGS } from '@vigil/config';

/**
 * deploy/compose.yaml without a Docker engine: valid against the Compose Specification schema
 * (vendored in deploy/schemas, source named there), and consistent with the repository: the apps'
 * entry points exist, their settings load, the files it mounts are there.
 */
const root = join(__dirname, '..', '..');
type Compose = {
  services: Record<
    string,
    {
      command?: string[];
      environment?: Record<string, string | number>;
      volumes?: string[];
      build?: { context: string; dockerfile: string };
    }
  >;
};
const text = readFileSync(join(root, 'deploy', 'compose.yaml'), 'utf8');
const compose = parse(text, { merge: true }) as Compose;

describe('deploy/compose.yaml', () => {
  it('is valid against the Compose Specification', () => {
    const schema = JSON.parse(
      readFileSync(join(root, 'deploy', 'schemas', 'compose-spec.json'), 'utf8'),
    ) as object;
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    const valid = ajv.validate(schema, compose);
    expect(ajv.errorsText(ajv.errors)).toBe('No errors');
    expect(valid).toBe(true);
    expect(ajv.validate(schema, { services: { ingest: { ports: 3001 } } })).toBe(false); // the check bites
  });

  it('runs ingest, scorer and alerts from the image the Dockerfile builds, with settings that load', () => {
    const known = new Set(Object.values(SETTINGS).map((s) => s.env));
    for (const app of ['ingest', 'scorer', 'alerts']) {
      const service = compose.services[app];
      expect(service.command).toEqual([`dist/apps/${app}/src/main.js`]);
      expect(existsSync(join(root, 'apps', app, 'src', 'main.ts'))).toBe(true);
      expect(existsSync(join(root, 'deploy', service.build?.dockerfile.replace(/^deploy\//, '') ?? ''))).toBe(
        true,
      );
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([k, v]) => [
          k,
          String(v).replace(/\$\{[^:}]+:-([^}]*)\}/g, '$1'),
        ]),
      );
      for (const name of Object.keys(env)) expect(known).toContain(name);
      expect(loadConfig(env).httpHost).toBe('0.0.0.0');
    }
  });

  it('mounts files that exist', () => {
    const mounts = Object.values(compose.services)
      .flatMap((s) => s.volumes ?? [])
      .filter((v) => v.startsWith('./'))
      .map((v) => v.split(':')[0]);
    expect(mounts.length).toBeGreaterThan(0);
    for (const m of mounts) expect(existsSync(join(root, 'deploy', m))).toBe(true);
  });
});
