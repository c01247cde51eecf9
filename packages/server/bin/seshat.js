#!/usr/bin/env node
// The published command. Node does not strip TypeScript types inside node_modules, so an installed package runs the
// compiled CLI (dist/, built by `npm pack`/`prepack`); a checkout without a build runs the sources (Node 24).
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli/main.js', import.meta.url);
const { main } = await import(existsSync(built) ? built.href : '../src/cli/main.ts');
const code = await main(process.argv.slice(2));
if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
