#!/usr/bin/env node
// Runs the compiled JavaScript in dist/ (`npm run build`; `npm install` and
// `npm start` build it): compiling the TypeScript sources at every start made
// each process take seconds to start on a busy machine.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/index.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('just-hungry: not built yet (dist/cli/index.js is missing); run `npm run build` first\n');
  process.exit(1);
}
await import(entry.href);
