// Vitest global setup: compiles the shipped commands into dist/ once, before
// any test file runs, so the processes the tests start (through `spawnCommand`
// and bin/just-hungry.js) run the code under test, not an older build.
// `npx vitest run test/x.test.ts` alone gets this too. tsc is incremental:
// with nothing changed it only checks.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
/** tsc's exit code when it found type errors and wrote the JavaScript all the same. */
const EMITTED_WITH_ERRORS = 2;
/** A build slower than this is stuck: the tests would wait on a dist/ that never comes. */
const BUILD_TIMEOUT_MS = 300_000;

export default function setup(): void {
  const build = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
  if (build.error) throw new Error(`building dist/ failed: ${build.error.message}`);
  const output = `${build.stdout}${build.stderr}`.trim();
  if (build.status === 0) return;
  // Type errors are `tsc -p .`'s to report (npm test runs it first); the
  // JavaScript was written, so the tests can still run against the code as it is.
  if (build.status === EMITTED_WITH_ERRORS) {
    process.stderr.write(`dist/ built, with type errors (npm run typecheck):\n${output}\n`);
    return;
  }
  throw new Error(`building dist/ (tsc -p tsconfig.build.json) failed with ${build.signal ?? `exit code ${build.status}`}:\n${output}`);
}
