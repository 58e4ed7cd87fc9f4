// Start-up: how long the shipped command takes to start from the build in
// dist/, beside two baselines measured in the same run: Node alone
// (`node -e 0`) and the same command compiled at start through tsx, as every
// process was started before the build step. The three take turns, so a
// machine that gets busier during the run slows all of them alike.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnCommand } from '../../cli/up.ts';
import { BENCH_SECRET, GiveUp, freePort, killOnExit, waitFor } from '../cluster.ts';
import type { Plan } from '../plan.ts';
import { median } from './failover.ts';

const SOURCE_ENTRY = fileURLToPath(new URL('../../cli/index.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
/** A start slower than this is stuck, not slow. */
const START_TIMEOUT_MS = 120_000;
const POLL_MS = 5;
/** Output kept from a process, for the message when it fails. */
const OUTPUT_CHARS_MAX = 2000;

/** From the build (dist/), or from the sources through tsx (before the build step). */
type How = 'built' | 'tsx';

export interface StartUpRow {
  what: string;
  /** Median wall time from spawning the process, ms. */
  builtMs: number;
  tsxMs: number;
}

export interface StartUpResult {
  runs: number;
  /** `node -e 0`, spawn to exit: what any Node process costs. */
  nodeMs: number;
  rows: StartUpRow[];
  /** 1-minute load average when the section started: the targets are for a quiet machine. */
  loadAverage: number;
}

function start(how: How, args: string[]): { child: ChildProcess; output: () => string } {
  const env = { ...process.env, JH_CLUSTER_SECRET: BENCH_SECRET };
  const child = killOnExit(how === 'built'
    ? spawnCommand(args, env)
    : spawn(process.execPath, ['--import', TSX, SOURCE_ENTRY, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let text = '';
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => (text = (text + chunk.toString()).slice(-OUTPUT_CHARS_MAX)));
  return { child, output: () => text };
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', resolve));
}

/** `node -e 0`, spawn to exit. */
async function timeNode(): Promise<number> {
  const startedMs = performance.now();
  const code = await exited(killOnExit(spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' })));
  if (code !== 0) throw new Error(`node -e 0 exited with code ${String(code)}`);
  return performance.now() - startedMs;
}

/** `just-hungry --help`, spawn to exit. */
async function timeHelp(how: How): Promise<number> {
  const startedMs = performance.now();
  const { child, output } = start(how, ['--help']);
  const code = await exited(child);
  if (code !== 0) throw new Error(`just-hungry --help (${how}) exited with code ${String(code)}: ${output()}`);
  return performance.now() - startedMs;
}

/**
 * `just-hungry replica`, spawn until its port answers /healthz. No gateway is
 * needed: a replica listens first (it joins with its URL), so its --gateway
 * points at a port where nothing listens and only the start is timed.
 */
async function timeReplica(how: How, dataDir: string): Promise<number> {
  const [port, nobody] = [await freePort(), await freePort()];
  const startedMs = performance.now();
  const { child, output } = start(how, ['replica', 'start-up', '--gateway', `http://127.0.0.1:${nobody}`, '--data', dataDir, '--port', String(port), '--log-level', 'error']);
  try {
    await waitFor(`the replica (${how}) to answer /healthz`, async () => {
      if (child.exitCode !== null) throw new GiveUp(`the replica (${how}) exited with code ${child.exitCode}: ${output()}`);
      return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
    }, START_TIMEOUT_MS, POLL_MS);
    return performance.now() - startedMs;
  } finally {
    child.kill('SIGKILL');
    await exited(child);
  }
}

export async function measureStartUp(plan: Plan, say: (line: string) => void): Promise<StartUpResult> {
  const loadAverage = loadavg()[0] ?? 0;
  say(`start-up: ${plan.startUpRuns} runs each of node -e 0, just-hungry --help and a replica, built and through tsx (load average ${loadAverage.toFixed(1)})`);
  const dataDir = mkdtempSync(join(tmpdir(), 'jh-bench-start-'));
  const runs: { node: number; help: Record<How, number>; replica: Record<How, number> }[] = [];
  try {
    // One unmeasured round first: it creates the replica's file and fills the disk cache (and tsx's).
    for (let run = 0; run <= plan.startUpRuns; run++) {
      const node = await timeNode();
      const help = { built: await timeHelp('built'), tsx: await timeHelp('tsx') };
      const replica = { built: await timeReplica('built', dataDir), tsx: await timeReplica('tsx', dataDir) };
      if (run === 0) continue;
      runs.push({ node, help, replica });
      say(`  run ${run}: node -e 0 ${node.toFixed(0)} ms; --help ${help.built.toFixed(0)} ms (tsx ${help.tsx.toFixed(0)}); replica listening ${replica.built.toFixed(0)} ms (tsx ${replica.tsx.toFixed(0)})`);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const mid = (pick: (run: (typeof runs)[number]) => number) => median(runs.map(pick).sort((a, b) => a - b));
  return {
    runs: runs.length,
    nodeMs: mid((r) => r.node),
    rows: [
      { what: '`just-hungry --help` (to exit)', builtMs: mid((r) => r.help.built), tsxMs: mid((r) => r.help.tsx) },
      { what: 'a replica listening (to /healthz answering)', builtMs: mid((r) => r.replica.built), tsxMs: mid((r) => r.replica.tsx) },
    ],
    loadAverage,
  };
}
