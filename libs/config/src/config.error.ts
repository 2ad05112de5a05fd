/** Start-up stops with this when the environment is wrong; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly { env: string; value: string; problem: string }[]) {
    super(
      `Invalid configuration:\n` +
        problems.map((p) => `  ${p.env}=${JSON.stringify(p.value)}: ${p.problem}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}
