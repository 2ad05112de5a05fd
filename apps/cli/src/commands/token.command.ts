import { type Command, Option } from 'commander';
import { loadConfig } from '@vigil/config';
import { ROLES, type Role, signToken } from '@vigil/alerting';
import { Output } from '../output';
import { positiveNumber } from '../option-parsers';

/** `vigil token`: mint a JWT for a person (signed with VIGIL_JWT_SECRET), for the dashboard or API. */
export function registerTokenCommand(program: Command): void {
  program
    .command('token')
    .description('Mint a JWT for the alerts API and dashboard, signed with VIGIL_JWT_SECRET')
    .requiredOption('--sub <user>', 'user id (the JWT subject)')
    .addOption(new Option('--role <role>', 'role').choices(ROLES).default('clinician'))
    .option('--teams <ids>', 'comma-separated care teams whose patients this person sees', '')
    .option('--hours <n>', 'validity in hours', positiveNumber, 12)
    .option('--json', 'print one JSON object')
    .action((options: { sub: string; role: Role; teams: string; hours: number; json?: boolean }) => {
      const secret = loadConfig().jwtSecret;
      if (!secret)
        throw new Error('VIGIL_JWT_SECRET is not set: the token must be signed with the alerts app’s secret');
      const teams = options.teams
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const token = signToken(
        { sub: options.sub, role: options.role, teams },
        secret,
        Math.round(options.hours * 3600),
      );
      new Output(options).result({ token, sub: options.sub, role: options.role, teams }, () => token);
    });
}
