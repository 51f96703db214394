#!/usr/bin/env node
'use strict';
// The compiled CLI; `npm install` / `npm ci` compile it (the `prepare` script runs tsc).
require('../dist/src/cli/run.js');
