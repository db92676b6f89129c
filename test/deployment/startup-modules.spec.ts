import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * Every process loads the whole application at start (serve, each CLI command, the crash tests'
 * children). The Zeebe client (~340 ms to require), ExcelJS (~260 ms) and fontkit (~120 ms) are loaded
 * when first used: the embedded engine never uses the first, only a few requests read or write a
 * workbook, and only signing draws a signature's appearance.
 */
test('loading the application does not load the Zeebe client, ExcelJS or fontkit', () => {
  const run = spawnSync(process.execPath, ['-r', join(ROOT, 'scripts', 'register-typescript.js'), '-e', `
    require(${JSON.stringify(join(ROOT, 'src', 'app.module.ts'))});
    const packages = Object.keys(require.cache).map((file) => /node_modules\\/(@camunda8\\/sdk|exceljs|@pdf-lib\\/fontkit)\\//.exec(file)?.[1]).filter(Boolean);
    process.stdout.write(JSON.stringify([...new Set(packages)]));
  `], { cwd: ROOT, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual([]);
});
