// The `just-hungry` command: help lists every flag; a bad or unknown flag is
// one line on stderr and exit code 2.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/just-hungry.js', import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('just-hungry', () => {
  it('lists its sub-commands', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const command of ['up', 'gateway', 'replica']) expect(stdout).toContain(command);
  });

  it.each([
    ['gateway', ['--port', '--host', '--data', '--postcodes-url', '--postcodes', '--min-replicas', '--catalog', '--heartbeat-ms', '--suspect-ms']],
    ['replica', ['--gateway', '--port', '--host', '--data', '--heartbeat-ms', '--replication-timeout-ms']],
    ['up', ['--port', '--data', '--replicas', '--postcodes']],
  ])('%s --help lists every flag', async (command, flags) => {
    const { code, stdout } = await run([command, '--help']);
    expect(code).toBe(0);
    for (const flag of flags) expect(stdout).toContain(flag);
  });

  it.each([
    [['gateway', '--nope'], /unknown option '--nope'/],
    [['gateway', '--port', 'eighty'], /--port/],
    [['gateway', '--min-replicas', '0'], /--min-replicas/],
    [['gateway', '--postcodes', 'sometimes'], /--postcodes/],
    [['replica', 'a b'], /NAME/],
    [['replica'], /NAME/],
    [['fly'], /unknown command/],
  ])('rejects %j with one line and exit code 2', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });
});
