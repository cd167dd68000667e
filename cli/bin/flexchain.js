#!/usr/bin/env -S node --no-node-snapshot
// isolated-vm needs V8's startup snapshot off on Node 20; re-exec once with the flag.
'use strict';
if (!process.execArgv.includes('--no-node-snapshot')) {
  const { spawnSync } = require('node:child_process');
  const child = spawnSync(process.execPath, ['--no-node-snapshot', ...process.execArgv, __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}
require('../dist/main.js').main(process.argv).then((code) => {
  process.exitCode = code;
});
