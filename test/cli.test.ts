// The `just-hungry` command: help lists every flag; a bad or unknown flag is
// one line on stderr and exit code 2; it runs the compiled JavaScript in dist/,
// with no TypeScript to compile at start; `up` waits for the cluster however
// long it takes, and Ctrl-C stops every process it started.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMAND_ENTRY, spawnCommand } from '../cli/up.ts';
import { freePort, waitFor } from '../cli/wait.ts';

const BIN = fileURLToPath(new URL('../bin/just-hungry.js', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
/** Generous: on a loaded machine processes take long to start, and this is no speed test. */
const START_WAIT_MS = 90_000;

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
    ['gateway', ['--port', '--host', '--data', '--postcodes-url', '--postcodes', '--min-replicas', '--catalog', '--heartbeat-ms', '--suspect-ms', '--cors-origins', '--production', '--no-graphiql']],
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
    [['gateway', '--cors-origins', 'https://shop.example/menu'], /--cors-origins.*not an origin/],
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

describe('the shipped command', () => {
  it('runs the build: bin/just-hungry.js loads dist/ and no TypeScript compiler', () => {
    const bin = readFileSync(BIN, 'utf8');
    expect(bin).toContain('../dist/cli/index.js');
    expect(bin).not.toMatch(/tsx|typescript|\.ts['"]/);
  });

  it('starts sub-commands as plain node on the compiled entry', async () => {
    const child = spawnCommand(['--help']);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    expect(child.spawnargs).toEqual([process.execPath, COMMAND_ENTRY, '--help']);
    expect(COMMAND_ENTRY).toMatch(/[/\\]dist[/\\]cli[/\\]index\.js$/);
    expect(await exited).toBe(0);
    expect(stdout).toContain('replica');
  });

  it('is built with every relative import pointing at JavaScript', () => {
    const files = readdirSync(DIST, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(files).toContain(join('cli', 'index.js'));
    // `import ... from './x.ts'` or `import('./x.ts')` left in the build would need a TypeScript loader at run time.
    const tsImports = files.filter((f) => /(from\s*|import\s*\(\s*)['"]\.{1,2}\/[^'"]*\.tsx?['"]/.test(readFileSync(join(DIST, f), 'utf8')));
    expect(tsImports).toEqual([]);
  });
});

describe('just-hungry up', () => {
  const started: ChildProcess[] = [];
  const dataDirs: string[] = [];
  afterEach(() => {
    // Each was started in its own process group: this stops `up` and its children even when the test failed midway.
    for (const child of started.splice(0)) {
      if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function start(args: string[]): { child: ChildProcess; output: () => string } {
    const child = spawn(process.execPath, [BIN, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let text = '';
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    return { child, output: () => text };
  }

  it('says what it is waiting for until the cluster takes orders, then prints the URLs, the pids and an unreachable postcode service; Ctrl-C stops every process', async () => {
    const port = await freePort();
    // Nothing listens there: the postcode service cannot be reached, as on a machine with no internet.
    const postcodesUrl = `http://127.0.0.1:${await freePort()}`;
    const data = mkdtempSync(join(tmpdir(), 'jh-up-'));
    dataDirs.push(data);
    const gatewayUrl = `http://127.0.0.1:${port}`;
    // One replica where two are needed: not ready until a second one joins, however long we take.
    const up = start(['up', '--port', String(port), '--data', data, '--replicas', '1', '--min-replicas', '2', '--postcodes-url', postcodesUrl]);
    await waitFor('a progress line from up', () => /\[up\] waiting for the cluster to take orders \(\d+ s\): \S/.test(up.output()), START_WAIT_MS);
    expect(up.output()).not.toContain('Just Hungry is up');

    const extra = start(['replica', '2', '--gateway', gatewayUrl, '--data', data, '--log-level', 'warn']);
    await waitFor('the URLs banner', () => up.output().includes('Just Hungry is up.'), START_WAIT_MS);
    expect(up.output()).toContain(`GraphQL + GraphiQL: ${gatewayUrl}/graphql`);
    expect(up.output()).toMatch(new RegExp(`Postcodes: +${postcodesUrl} cannot be reached \\(.+\\): sign-ups .* Start with --postcodes offline`));
    // Each process's pid, in the log as it starts and in the banner: the one to kill for a failover by hand.
    const pid = Number(/Processes: +gateway pid \d+, replica 1 pid (\d+)/.exec(up.output())?.[1]);
    expect(up.output()).toMatch(new RegExp(`\\[up\\] started replica 1, pid ${pid}\\n`));
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect((await fetch(`${gatewayUrl}/readyz`)).status).toBe(200);
    const status = await fetch(`${gatewayUrl}/cluster/status`, { headers: { 'x-jh-cluster-secret': readFileSync(join(data, 'cluster.secret'), 'utf8').trim() } });
    const { cluster } = (await status.json()) as { cluster: { replicas: { name: string; url: string }[] } };
    const replicaUrls = cluster.replicas.filter((r) => r.name === '1').map((r) => r.url);
    expect(replicaUrls).toHaveLength(1);

    process.kill(pid, 'SIGKILL');
    await waitFor('up to report the kill', () => new RegExp(`\\[up\\] replica 1 \\(pid ${pid}\\) exited \\(SIGKILL\\); start it again with: npx just-hungry replica 1 --data ${data} `).test(up.output()), START_WAIT_MS);

    const exited = new Promise((resolve) => up.child.once('exit', resolve));
    up.child.kill('SIGINT');
    await exited;
    for (const url of [gatewayUrl, ...replicaUrls]) {
      await waitFor(`${url} to stop answering`, async () => fetch(`${url}/healthz`).then(() => false, () => true), START_WAIT_MS);
    }
    extra.child.kill('SIGTERM');
  }, 3 * START_WAIT_MS);
});

