// Lets the crash test's child process run the TypeScript sources directly: transpile-only, with a cache,
// because it is started again after every SIGKILL.
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const ts = require('typescript');

const cacheDir = path.join(os.tmpdir(), 'iso-cycle-ts-cache');
fs.mkdirSync(cacheDir, { recursive: true });
const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true, resolveJsonModule: true, sourceMap: false };

require.extensions['.ts'] = function compile(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = createHash('sha1').update(filename).update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let output;
  if (fs.existsSync(cached)) output = fs.readFileSync(cached, 'utf8');
  else {
    output = ts.transpileModule(source, { compilerOptions: options, fileName: filename }).outputText;
    fs.writeFileSync(cached, output);
  }
  module._compile(output, filename);
};
