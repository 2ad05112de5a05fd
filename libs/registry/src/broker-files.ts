import { execFileSync } from 'node:child_process';
import { chownSync, readdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { BROKER_SYSTEM_USER, brokerUser } from './broker-tuning';

/**
 * Prepares a broker's folder (config, passwd, acl, data, log, pid) for the user Mosquitto will run
 * as, and returns that user for the config's `user` line. Run by root, that is the `mosquitto`
 * system user (Mosquitto drops to it before opening any of these files), so the folder is handed
 * to it; run by anyone else, the broker runs as them and nothing changes.
 */
export function prepareBrokerDir(dir: string): string {
  const user = brokerUser(userInfo().username);
  if (user !== BROKER_SYSTEM_USER) return user;
  const id = (flag: string) => {
    try {
      return Number(execFileSync('id', [flag, BROKER_SYSTEM_USER], { encoding: 'utf8' }).trim());
    } catch {
      throw new Error(
        `running as root, the broker runs as the "${BROKER_SYSTEM_USER}" user, which does not exist (apt-get install mosquitto creates it)`,
      );
    }
  };
  chownTree(dir, id('-u'), id('-g'));
  return user;
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory()) chownTree(join(path, entry.name), uid, gid);
    else chownSync(join(path, entry.name), uid, gid);
  }
}
