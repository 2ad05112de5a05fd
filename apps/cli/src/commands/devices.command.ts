import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { type Command } from 'commander';
import { loadConfig } from '@vigil/config';
import { telemetryJsonSchema } from '@vigil/contracts';
import {
  brokerUser,
  type DeviceRecord,
  hashPassword,
  openRegistry,
  type RegistryResult,
  renderAclFile,
  renderBrokerConfig,
  prepareBrokerDir,
  renderPasswordFile,
  type ServiceAccount,
} from '@vigil/registry';
import { Output, table } from '../output';
import { integerAtLeast } from '../option-parsers';

interface JsonOption {
  json?: boolean;
}

const teamsOf = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

/** Runs `fn` with a registry on the configured Redis and Kafka, and always closes it. */
async function withRegistry<T>(fn: (r: Awaited<ReturnType<typeof openRegistry>>) => Promise<T>): Promise<T> {
  const open = await openRegistry(loadConfig());
  try {
    return await fn(open);
  } finally {
    await open.close();
  }
}

function unwrap<T>(result: RegistryResult<T>): T {
  if (result.ok) return result.value;
  throw new Error(`${result.refusal.code}: ${result.refusal.message}`);
}

const row = (d: DeviceRecord) => [
  d.deviceId,
  d.revoked ? 'revoked' : (d.patientId ?? '(unbound)'),
  d.model ?? '',
  new Date(d.registeredAt).toISOString(),
];
const publicDevice = ({ passwordHash: _hash, ...device }: DeviceRecord) => device;

/**
 * `vigil devices …`: the device registry from the command line (writes go to Kafka
 * `registry.changes`, then Redis; ingest picks changes up at once). No running ingest needed.
 */
export function registerDevicesCommand(program: Command): void {
  const devices = program
    .command('devices')
    .description('Device registry: enrol devices, bind them to patients, generate broker credentials');

  devices
    .command('register <deviceId>')
    .description('Register a device and print its MQTT credentials (shown once)')
    .option('--model <model>', 'device model')
    .option('--password <secret>', 'use this MQTT password instead of a generated one')
    .option('--json', 'print one JSON object')
    .action(async (deviceId: string, options: JsonOption & { model?: string; password?: string }) => {
      const r = unwrap(
        await withRegistry(({ registry }) =>
          registry.register(deviceId, { model: options.model, password: options.password }),
        ),
      );
      new Output(options).result(
        { device: publicDevice(r.device), username: deviceId, password: r.password },
        () =>
          [
            `registered ${deviceId}`,
            `  MQTT username: ${deviceId}`,
            `  MQTT password: ${r.password}   (shown once; stored only as a hash)`,
          ].join('\n'),
      );
    });

  devices
    .command('bind <deviceId> <patientId>')
    .description('Bind a device to a patient: its samples are keyed by the patient from now on')
    .option('--json', 'print one JSON object')
    .action(async (deviceId: string, patientId: string, options: JsonOption) => {
      const d = unwrap(await withRegistry(({ registry }) => registry.bind(deviceId, patientId)));
      new Output(options).result(publicDevice(d), () => `bound ${deviceId} to ${patientId}`);
    });

  devices
    .command('unbind <deviceId>')
    .description('Unbind a device (its samples are refused as device_unbound)')
    .option('--json', 'print one JSON object')
    .action(async (deviceId: string, options: JsonOption) => {
      const d = unwrap(await withRegistry(({ registry }) => registry.unbind(deviceId)));
      new Output(options).result(publicDevice(d), () => `unbound ${deviceId}`);
    });

  devices
    .command('revoke <deviceId>')
    .description('Revoke a device: refused by ingest (unknown_device) and dropped from the broker files')
    .option('--json', 'print one JSON object')
    .action(async (deviceId: string, options: JsonOption) => {
      const d = unwrap(await withRegistry(({ registry }) => registry.revoke(deviceId)));
      new Output(options).result(publicDevice(d), () => `revoked ${deviceId}`);
    });

  devices
    .command('enrol <deviceId> <patientId>')
    .description(
      'Register (if new), bind to the patient and set the patient’s care teams, in one go (idempotent)',
    )
    .option('--teams <ids>', 'comma-separated care teams of the patient')
    .option('--password <secret>', 'MQTT password (a new device gets a generated one otherwise)')
    .option('--json', 'print one JSON object')
    .action(
      async (
        deviceId: string,
        patientId: string,
        options: JsonOption & { teams?: string; password?: string },
      ) => {
        const teams = teamsOf(options.teams);
        const r = unwrap(
          await withRegistry(({ registry }) =>
            registry.enrol(deviceId, patientId, {
              careTeams: teams.length > 0 ? teams : undefined,
              password: options.password,
            }),
          ),
        );
        new Output(options).result(
          { device: publicDevice(r.device), username: deviceId, password: r.password },
          () =>
            [
              `enrolled ${deviceId} → ${patientId}${teams.length > 0 ? ` (${teams.join(', ')})` : ''}`,
              ...(r.password ? [`  MQTT password: ${r.password}   (shown once)`] : []),
            ].join('\n'),
        );
      },
    );

  devices
    .command('care-teams <patientId> <teams>')
    .description('Set the care teams (comma-separated) a patient belongs to')
    .option('--json', 'print one JSON object')
    .action(async (patientId: string, teams: string, options: JsonOption) => {
      const p = unwrap(
        await withRegistry(({ registry }) => registry.setCareTeams(patientId, teamsOf(teams))),
      );
      new Output(options).result(p, () => `${patientId}: ${p.careTeams.join(', ') || '(no team)'}`);
    });

  devices
    .command('list')
    .description('List registered devices and their patients')
    .option('--json', 'print one JSON object')
    .action(async (options: JsonOption) => {
      const [all, patients] = await withRegistry(
        async ({ registry }) => [await registry.devices(), await registry.patients()] as const,
      );
      new Output(options).result({ devices: all.map(publicDevice), patients }, () =>
        all.length === 0
          ? 'no devices registered'
          : table(all.map(row), ['device', 'patient', 'model', 'registered']),
      );
    });

  devices
    .command('rebuild')
    .description('Rebuild the registry in Redis from its record of changes (Kafka registry.changes)')
    .option('--json', 'print one JSON object')
    .action(async (options: JsonOption) => {
      const events = await withRegistry((open) => open.rebuild());
      new Output(options).result({ events }, () => `rebuilt the registry from ${events} change(s)`);
    });

  devices
    .command('mosquitto')
    .description(
      "Write the authenticating broker's password file, ACL and config from the registry; --reload makes a running broker read them",
    )
    .requiredOption('--dir <dir>', "folder for passwd, acl, mosquitto.conf (and the broker's pid, data, log)")
    .option(
      '--service <user:password...>',
      'service accounts (ingest, simulator), e.g. vigil-ingest:secret',
      [],
    )
    .option('--port <port>', 'listener port of the authenticating broker', integerAtLeast(1), 1884)
    .option('--reload', 'send SIGHUP to the broker whose pid is in <dir>/mosquitto.pid')
    .option('--json', 'print one JSON object')
    .action(
      async (options: JsonOption & { dir: string; service: string[]; port: number; reload?: boolean }) => {
        const config = loadConfig();
        const services: ServiceAccount[] = options.service.map((s) => {
          const i = s.indexOf(':');
          if (i <= 0) throw new Error(`--service ${s}: expected user:password`);
          return { username: s.slice(0, i), passwordHash: hashPassword(s.slice(i + 1)) };
        });
        const all = await withRegistry(({ registry }) => registry.devices());
        const dir = resolve(options.dir);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'passwd'), renderPasswordFile(all, services), { mode: 0o600 });
        writeFileSync(join(dir, 'acl'), renderAclFile(config.mqttUsername ?? 'vigil-ingest'));
        mkdirSync(join(dir, 'data'), { recursive: true });
        writeFileSync(
          join(dir, 'mosquitto.conf'),
          renderBrokerConfig(dir, options.port, { user: brokerUser(userInfo().username) }),
        );
        prepareBrokerDir(dir); // run by root: the broker runs as "mosquitto", who must own its files
        let reloaded: number | null = null;
        if (options.reload) {
          const pidFile = join(dir, 'mosquitto.pid');
          if (!existsSync(pidFile))
            throw new Error(`--reload: no broker running from ${dir} (${pidFile} is missing)`);
          reloaded = Number(readFileSync(pidFile, 'utf8').trim());
          process.kill(reloaded, 'SIGHUP');
        }
        const enabled = all.filter((d) => !d.revoked).length;
        new Output(options).result(
          { dir, devices: enabled, services: services.map((s) => s.username), reloaded },
          () =>
            [
              `wrote ${join(dir, 'passwd')} (${enabled} device(s), ${services.length} service account(s)), ${join(dir, 'acl')} and ${join(dir, 'mosquitto.conf')}`,
              reloaded === null
                ? `start the broker with: mosquitto -d -c ${join(dir, 'mosquitto.conf')}  (or deploy/stack.sh auth-up)`
                : `broker ${reloaded} reloaded`,
            ].join('\n'),
        );
      },
    );

  devices
    .command('schema')
    .description('Print the JSON Schema of telemetry v1 (the one published in libs/contracts/schemas)')
    .action(() => {
      process.stdout.write(JSON.stringify(telemetryJsonSchema(), null, 2) + '\n');
    });
}
