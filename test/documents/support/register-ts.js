/**
 * Lets a plain `node` child process require the project's TypeScript sources, compiled in memory
 * with the project's own compiler options (like ts-jest, but for the multi-process tests). The
 * tsconfig has isolatedModules, so compiling file by file (transpileModule) is faithful; decorator
 * metadata is emitted as in the build. Outputs are cached in the temp folder by content hash, so
 * the 4 workers and later runs do not compile the same files again.
 */
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const ts = require('typescript');

const root = join(__dirname, '..', '..', '..');
const configFile = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
const compilerOptions = { ...options, sourceMap: false, inlineSourceMap: true, incremental: false, tsBuildInfoFile: undefined, declaration: false };
const cacheDir = join(tmpdir(), 'iso-cycle-ts-cache');
const salt = `${ts.version}\0${JSON.stringify(compilerOptions)}`;
mkdirSync(cacheDir, { recursive: true });

require.extensions['.ts'] = (module, filename) => {
  const source = readFileSync(filename, 'utf8');
  const cached = join(cacheDir, `${createHash('sha256').update(salt).update(filename).update('\0').update(source).digest('hex')}.js`);
  let output;
  try {
    output = readFileSync(cached, 'utf8');
  } catch {
    output = ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
    const temporary = `${cached}.${process.pid}.tmp`;
    writeFileSync(temporary, output);
    renameSync(temporary, cached);
  }
  module._compile(output, filename);
};
require('reflect-metadata');
