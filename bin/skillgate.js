#!/usr/bin/env node
// Entry point of the `skillgate` command: runs the compiled CLI (built by `npm ci` via `prepare`).
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code ?? 0;
  },
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
