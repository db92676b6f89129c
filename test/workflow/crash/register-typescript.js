// Lets the crash test's child process run the TypeScript sources directly: transpile-only, with a cache,
// because it is started again after every SIGKILL. Also the benchmarks' processes, and the renderer's
// thread when the application runs from source (jest). TypeScript itself is loaded only on a cache miss.
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
let ts;

const cacheDir = path.join(os.tmpdir(), 'iso-cycle-ts-cache');
fs.mkdirSync(cacheDir, { recursive: true });
const options = () => ({ module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true, resolveJsonModule: true, sourceMap: false });

require.extensions['.ts'] = function compile(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = createHash('sha1').update(filename).update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let output;
  if (fs.existsSync(cached)) output = fs.readFileSync(cached, 'utf8');
  else {
    ts ??= require('typescript');
    output = ts.transpileModule(source, { compilerOptions: options(), fileName: filename }).outputText;
    // Written aside and renamed: another process (jest's workers, their renderer threads) may read it meanwhile.
    const partial = `${cached}.${process.pid}.${require('node:worker_threads').threadId}`;
    fs.writeFileSync(partial, output);
    fs.renameSync(partial, cached);
  }
  module._compile(output, filename);
};
