#!/usr/bin/env node
// Entry for `kubectl fallow …`: kubectl finds plugins named kubectl-<name> on PATH.
import { main } from '../dist/cli/main.js';
main(process.argv, { asKubectlPlugin: true }).then((code) => { process.exitCode = code; });
