import { readFileSync } from 'node:fs';
import { ConfigError, SETTINGS, type SettingKey, type Settings } from '@vigil/config';

/** Reads the PEM file a setting names, or stops start-up with a ConfigError naming the setting. */
export function readPemFile(key: SettingKey, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason =
      typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : String(error);
    throw new ConfigError([
      { env: SETTINGS[key].env, value: path, problem: `cannot read the file (${reason})` },
    ]);
  }
  if (!text.includes('-----BEGIN ')) {
    throw new ConfigError([
      { env: SETTINGS[key].env, value: path, problem: 'is not a PEM file (no -----BEGIN line)' },
    ]);
  }
  return text;
}

const PEM_SETTINGS = [
  'kafkaTlsCaFile',
  'kafkaTlsCertFile',
  'kafkaTlsKeyFile',
  'mqttTlsCaFile',
  'mqttTlsCertFile',
  'mqttTlsKeyFile',
] as const satisfies readonly SettingKey[];

/** At boot: every PEM file a setting names is readable (else one ConfigError naming them all). */
export function checkPemFiles(settings: Pick<Settings, (typeof PEM_SETTINGS)[number]>): void {
  const problems: ConfigError['problems'][number][] = [];
  for (const key of PEM_SETTINGS) {
    const path = settings[key];
    if (path === undefined) continue;
    try {
      readPemFile(key, path);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
}
