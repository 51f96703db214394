#!/usr/bin/env node
'use strict';
// Runs the compiled CLI; `npm install` compiles it (the `prepare` script).
require('../dist/src/cli/main.js').main(process.argv).catch((error) => {
  process.stderr.write(`facilitator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
