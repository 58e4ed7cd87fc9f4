// The suite's check that no process outlives it (test/helpers/build.ts): it
// finds a process by the mark its environment inherited.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { waitFor } from '../cli/wait.ts';
import { TEST_RUN_MARK, markedProcesses } from './helpers/build.ts';

it.runIf(process.platform === 'linux')('finds a process started with the run mark, and no longer once it is gone', async () => {
  const mark = randomUUID();
  const child = spawn('sleep', ['30'], { stdio: 'ignore', env: { ...process.env, [TEST_RUN_MARK]: mark } });
  try {
    await waitFor('the marked process', () => markedProcesses(mark).some((p) => p.pid === child.pid && p.command.startsWith('sleep 30')));
    // The suite's own mark does not match another run's.
    expect(markedProcesses(randomUUID())).toEqual([]);
  } finally {
    child.kill('SIGKILL');
  }
  await waitFor('the process to be gone', () => markedProcesses(mark).length === 0);
});
