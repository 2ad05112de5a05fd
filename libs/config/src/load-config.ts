import { ConfigError } from './config.error';
import { SETTINGS, type SettingKey, type Settings } from './settings';

/**
 * Reads every setting from `env` (flat strings) into a typed object, or throws one ConfigError that
 * lists all bad variables. The only place in Vigil that reads the environment.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Settings {
  const values: Record<string, unknown> = {};
  const problems: { env: string; value: string; problem: string }[] = [];
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    const setting = SETTINGS[key];
    const raw = env[setting.env] ?? setting.default;
    if (raw === undefined) {
      problems.push({ env: setting.env, value: '', problem: 'is required' });
      continue;
    }
    const result = setting.parse.safeParse(raw);
    if (result.success) values[key] = result.data;
    else
      problems.push({
        env: setting.env,
        value: raw,
        problem: result.error.issues.map((i) => i.message).join('; '),
      });
  }
  const { alertConfirmWindows: k, alertConfirmOf: n } = values;
  if (typeof k === 'number' && typeof n === 'number' && k > n) {
    problems.push({
      env: SETTINGS.alertConfirmWindows.env,
      value: String(k),
      problem: `must be <= ${SETTINGS.alertConfirmOf.env} (${n})`,
    });
  }
  if (values.webhookUrl !== undefined && values.webhookSecret === undefined) {
    problems.push({
      env: SETTINGS.webhookSecret.env,
      value: '',
      problem: `is required with ${SETTINGS.webhookUrl.env} (receivers check the signature)`,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Settings;
}

/** The configuration table (for `vigil config` and the README). */
export function describeSettings(): { env: string; default: string; description: string }[] {
  return Object.values(SETTINGS).map((s) => ({
    env: s.env,
    default: s.default ?? '(required)',
    description: s.description,
  }));
}

/** The configuration table as Markdown; README.md carries exactly this (a spec keeps them equal). */
export function settingsMarkdown(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| variable | default | meaning |',
    '| --- | --- | --- |',
    ...describeSettings().map(
      (s) =>
        `| \`${s.env}\` | ${s.default === '' ? '' : `\`${cell(s.default)}\``} | ${cell(s.description)} |`,
    ),
  ].join('\n');
}
