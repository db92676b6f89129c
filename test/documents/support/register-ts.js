/**
 * Lets a plain `node` child process require the project's TypeScript sources, compiled in memory
 * with the project's own compiler options (like ts-jest, but for the multi-process tests). The
 * tsconfig has isolatedModules, so compiling file by file (transpileModule) is faithful; decorator
 * metadata is emitted as in the build.
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const ts = require('typescript');

const root = join(__dirname, '..', '..', '..');
const configFile = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
const compilerOptions = { ...options, sourceMap: false, inlineSourceMap: true, incremental: false, tsBuildInfoFile: undefined, declaration: false };

require.extensions['.ts'] = (module, filename) => {
  const output = ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
  module._compile(output.outputText, filename);
};
require('reflect-metadata');
