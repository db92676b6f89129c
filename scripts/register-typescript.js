// Lets a plain `node` process run the project's TypeScript sources: the CLI and multi-process tests'
// children (the crash tests start theirs again after every SIGKILL), the benchmarks, and the renderer's
// thread when the application runs from source (jest). Each file is transpiled alone, which the
// tsconfig's isolatedModules makes faithful, with the project's own compiler options, and cached in the
// temp folder by content, so that jest's workers and later runs do not compile a file twice.
// TypeScript itself is loaded only on a cache miss.
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { threadId } = require('node:worker_threads');

const root = join(__dirname, '..');
const cacheDir = join(tmpdir(), 'iso-cycle-ts-cache');
// Besides the file, the output depends on the compiler's version and the project's options.
const salt = `${require('typescript/package.json').version}\0${readFileSync(join(root, 'tsconfig.json'), 'utf8')}`;
mkdirSync(cacheDir, { recursive: true });

let compile;
function compiler() {
  const ts = require('typescript');
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const compilerOptions = { ...options, sourceMap: false, inlineSourceMap: true, incremental: false, tsBuildInfoFile: undefined, declaration: false };
  return (source, fileName) => ts.transpileModule(source, { compilerOptions, fileName }).outputText;
}

require.extensions['.ts'] = (module, filename) => {
  const source = readFileSync(filename, 'utf8');
  const cached = join(cacheDir, `${createHash('sha256').update(salt).update(filename).update('\0').update(source).digest('hex')}.js`);
  let output;
  try {
    output = readFileSync(cached, 'utf8');
  } catch {
    compile ??= compiler();
    output = compile(source, filename);
    // Written aside and renamed: another process or thread may read it meanwhile.
    const partial = `${cached}.${process.pid}.${threadId}.tmp`;
    writeFileSync(partial, output);
    renameSync(partial, cached);
  }
  module._compile(output, filename);
};
require('reflect-metadata');
