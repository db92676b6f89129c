import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * The folder holding the project's package.json, whether the code runs from `src/` (tests) or
 * from `dist/src/` (built): data, templates and processes are found relative to it.
 */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  while (dir !== dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'iso-cycle') return (cached = dir);
    dir = dirname(dir);
  }
  throw new Error(`iso-cycle's package.json not found above ${__dirname}`);
}
