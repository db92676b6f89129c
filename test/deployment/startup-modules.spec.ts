import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * Every process loads the whole application at start (serve, each CLI command, the crash tests'
 * children). The Zeebe client (~340 ms to require) and ExcelJS (~260 ms) are loaded when first used:
 * the embedded engine never uses the one, and only a few requests read or write a workbook.
 */
test('loading the application does not load the Zeebe client or ExcelJS', () => {
  const run = spawnSync(process.execPath, ['-r', join(ROOT, 'scripts', 'register-typescript.js'), '-e', `
    require(${JSON.stringify(join(ROOT, 'src', 'app.module.ts'))});
    const packages = Object.keys(require.cache).map((file) => /node_modules\\/(@camunda8\\/sdk|exceljs)\\//.exec(file)?.[1]).filter(Boolean);
    process.stdout.write(JSON.stringify([...new Set(packages)]));
  `], { cwd: ROOT, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual([]);
});
