// Runs apps/<argv[2]>/src/main.ts in a plain node process (no build needed), for specs that must kill
// an app for real (SIGKILL): TypeScript is compiled on require with @swc/core, as jest does, and the
// @vigil/* aliases come from tsconfig.json, the one list of aliases.
'use strict';
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const root = path.join(__dirname, '..', '..');
const { compilerOptions } = require(path.join(root, 'tsconfig.json'));
const aliases = Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
  alias,
  path.join(root, target),
]);

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const hit = aliases.find(([alias]) => request === alias);
  return resolve.call(this, hit ? hit[1] : request, parent, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};

const app = process.argv[2];
if (!/^[a-z]+$/.test(app ?? '')) throw new Error('usage: node app-process.js <app under apps/>');
require(path.join(root, 'apps', app, 'src', 'main.ts'));
