import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The checkout's root (where package.json is), from src/ under ts-jest or from dist/ when built. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'apps'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no Vigil checkout above ${from}`);
    dir = parent;
  }
  return dir;
}
