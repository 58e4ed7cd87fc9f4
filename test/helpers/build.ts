// Vitest global setup: compiles the shipped commands into dist/ once, before
// any test file runs, so the processes the tests start (through `spawnCommand`
// and bin/just-hungry.js) run the code under test, not an older build.
// `npx vitest run test/x.test.ts` alone gets this too. tsc is incremental:
// with nothing changed it only checks.
//
// It gives the run a scratch directory (JH_TEST_TMP), removed when it ends.
//
// It also marks this run: every process a test starts inherits JH_TEST_RUN,
// and when the suite ends any process still carrying the mark outlived it. It
// is killed and the run fails, naming it: a test that starts processes must
// stop them whatever happens.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
/** tsc's exit code when it found type errors and wrote the JavaScript all the same. */
const EMITTED_WITH_ERRORS = 2;
/** A build slower than this is stuck: the tests would wait on a dist/ that never comes. */
const BUILD_TIMEOUT_MS = 300_000;

/** The environment variable that marks the processes of one test run. */
export const TEST_RUN_MARK = 'JH_TEST_RUN';
/** The environment variable naming a directory for the run's scratch files, removed when the run ends. */
export const TEST_RUN_TMP = 'JH_TEST_TMP';

export default function setup(): () => void {
  const mark = randomUUID();
  process.env[TEST_RUN_MARK] = mark;
  const scratch = mkdtempSync(join(tmpdir(), 'jh-test-run-'));
  process.env[TEST_RUN_TMP] = scratch;
  build();
  return () => {
    rmSync(scratch, { recursive: true, force: true });
    // Vitest's own workers (children of this process) carry the mark too; what the tests start is below them.
    const outlived = markedProcesses(mark, process.pid);
    if (outlived.length === 0) return;
    for (const { pid } of outlived) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    process.stderr.write(`\n${outlived.length} process(es) started by the tests outlived the suite (now killed):\n${outlived.map((p) => `  ${p.pid} ${p.command}`).join('\n')}\n`);
    // Vitest reports a teardown's error but keeps its exit code: set ours.
    process.exitCode = 1;
  };
}

/** Live processes (other than this one, and not children of `skipChildrenOf`) whose environment carries `mark`, with their command lines. Linux: /proc. */
export function markedProcesses(mark: string, skipChildrenOf?: number): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
      if (!environ.split('\0').includes(`${TEST_RUN_MARK}=${mark}`)) continue;
      if (skipChildrenOf !== undefined && parentOf(pid) === skipChildrenOf) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      // A zombie (exited, not yet reaped) has an empty command line: it holds nothing.
      if (command) found.push({ pid, command: command.slice(0, 200) });
    } catch {
      // not ours to read, or gone meanwhile
    }
  }
  return found;
}

/** The parent pid from /proc/PID/stat (its fields after the command name, which may hold spaces, in parentheses). */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function build(): void {
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
