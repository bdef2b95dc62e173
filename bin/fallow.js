#!/usr/bin/env node
// Entry for the `fallow` command: runs the compiled CLI (built by `npm ci` via "prepare").
import { main } from '../dist/cli/main.js';
main(process.argv).then((code) => { process.exitCode = code; });
