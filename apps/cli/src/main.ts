import 'reflect-metadata';
import { Command } from 'commander';
import { registerConfigCommand } from './commands/config.command';
import { registerDevicesCommand } from './commands/devices.command';
import { registerEvaluateCommand } from './commands/evaluate.command';
import { registerModelsCommand } from './commands/models.command';
import { registerSimulateCommand } from './commands/simulate.command';
import { registerTrainCommand } from './commands/train.command';
import { registerBenchCommand } from './commands/bench.command';
import { registerTokenCommand } from './commands/token.command';
import { registerUpCommand } from './commands/up.command';

/**
 * `vigil <command>`: one entry point for operators and data scientists. Each command lives in
 * commands/<name>.command.ts and registers itself here.
 */
const program = new Command('vigil')
  .description('Vigil: streaming anomaly detection on wearable vital signs')
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true });

registerConfigCommand(program);
registerDevicesCommand(program);
registerEvaluateCommand(program);
registerModelsCommand(program);
registerSimulateCommand(program);
registerTrainCommand(program);
registerBenchCommand(program);
registerTokenCommand(program);
registerUpCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`vigil: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
