import { type Command } from 'commander';
import { describeSettings, loadConfig, settingsMarkdown } from '@vigil/config';
import { Output, table } from '../output';

export function registerConfigCommand(program: Command): void {
  program
    .command('config')
    .description('List every setting (environment variable), its default, and check the current environment')
    .option('--json', 'print one JSON object')
    .option('--markdown', "print the table as Markdown (the README's configuration table)")
    .action((options: { json?: boolean; markdown?: boolean }) => {
      const out = new Output(options);
      const settings = describeSettings();
      if (options.markdown) {
        out.info(settingsMarkdown());
        return;
      }
      const current = loadConfig(); // throws ConfigError naming each bad variable
      out.result(
        { settings, current },
        () =>
          table(
            settings.map((s) => [s.env, s.default, s.description]),
            ['variable', 'default', 'meaning'],
          ) + '\n\nThe current environment is valid.',
      );
    });
}
