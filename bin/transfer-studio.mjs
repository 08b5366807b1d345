#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Runs the CLI straight from the TypeScript sources through tsx's loader, in this process (so
// signals such as Ctrl+C and kill reach the CLI itself, not a wrapper).
import { register } from 'tsx/esm/api';

register();
const { main } = await import(new URL('../src/cli/main.ts', import.meta.url).href);
const code = await main(process.argv);
if (!process.argv.includes('serve')) process.exitCode = code;
