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
  problems.push(...combinationProblems(values));
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Settings;
}

type Problem = { env: string; value: string; problem: string };

/**
 * Settings that are each valid but wrong together (a client key without its certificate, more
 * in-sync replicas than replicas). Only settings that parsed are compared.
 */
function combinationProblems(v: Partial<Settings>): Problem[] {
  const problems: Problem[] = [];
  const bad = (key: SettingKey, problem: string) =>
    problems.push({
      env: SETTINGS[key].env,
      // Never echo a secret into a log line.
      value: /password|secret|token/i.test(key) && v[key] !== undefined ? '(hidden)' : String(v[key] ?? ''),
      problem,
    });

  if (v.kafkaMinInsyncReplicas !== undefined && v.kafkaReplicationFactor !== undefined)
    if (v.kafkaMinInsyncReplicas > v.kafkaReplicationFactor)
      bad(
        'kafkaMinInsyncReplicas',
        `must be <= ${SETTINGS.kafkaReplicationFactor.env} (${v.kafkaReplicationFactor}): no write could ever be acknowledged`,
      );
  if (v.kafkaTls === false)
    for (const key of ['kafkaTlsCaFile', 'kafkaTlsCertFile', 'kafkaTlsKeyFile'] as const)
      if (v[key] !== undefined) bad(key, `needs ${SETTINGS.kafkaTls.env}=true`);
  pairProblems(v, 'kafkaTlsCertFile', 'kafkaTlsKeyFile', bad);
  pairProblems(v, 'mqttTlsCertFile', 'mqttTlsKeyFile', bad);

  if (v.kafkaSaslMechanism !== undefined && v.kafkaSaslMechanism !== 'none') {
    for (const key of ['kafkaSaslUsername', 'kafkaSaslPassword'] as const)
      if (v[key] === undefined)
        bad(key, `is required by ${SETTINGS.kafkaSaslMechanism.env}=${v.kafkaSaslMechanism}`);
    if (v.kafkaSaslMechanism === 'plain' && v.kafkaTls === false)
      bad(
        'kafkaSaslMechanism',
        `plain sends the password unencrypted: set ${SETTINGS.kafkaTls.env}=true (or use scram-sha-512)`,
      );
  } else if (v.kafkaSaslMechanism === 'none') {
    for (const key of ['kafkaSaslUsername', 'kafkaSaslPassword'] as const)
      if (v[key] !== undefined) bad(key, `is unused while ${SETTINGS.kafkaSaslMechanism.env}=none`);
  }

  if (v.mqttUrl !== undefined) {
    const protocol = new URL(v.mqttUrl).protocol;
    if (protocol !== 'mqtts:' && protocol !== 'wss:')
      for (const key of ['mqttTlsCaFile', 'mqttTlsCertFile', 'mqttTlsKeyFile'] as const)
        if (v[key] !== undefined)
          bad(key, `needs TLS: ${SETTINGS.mqttUrl.env} must be mqtts:// (or wss://), not ${protocol}//`);
  }

  if (
    v.redisSentinels !== undefined &&
    v.redisSentinels.length === 0 &&
    v.redisSentinelPassword !== undefined
  )
    bad('redisSentinelPassword', `is unused without ${SETTINGS.redisSentinels.env}`);
  return problems;
}

/** A certificate and its key come together. */
function pairProblems(
  v: Partial<Settings>,
  cert: 'kafkaTlsCertFile' | 'mqttTlsCertFile',
  key: 'kafkaTlsKeyFile' | 'mqttTlsKeyFile',
  bad: (key: SettingKey, problem: string) => void,
): void {
  if (v[cert] !== undefined && v[key] === undefined) bad(key, `is required with ${SETTINGS[cert].env}`);
  if (v[key] !== undefined && v[cert] === undefined) bad(cert, `is required with ${SETTINGS[key].env}`);
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
