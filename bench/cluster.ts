// A small controller for a real cluster under benchmark: the gateway and the
// replicas as separate `just-hungry` processes on 127.0.0.1 (free ports, a
// fresh data directory), their readiness read from /cluster/status, and
// kill / restart / stop by name.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { GiveUp, freePort, waitFor as waitUntil } from '../cli/wait.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { spawnCommand } from '../cli/up.ts';
import { CLUSTER_SECRET_HEADER, Position, View } from '../replicas/protocol.ts';

export const BENCH_SECRET = 'bench-cluster-secret-0123456789abcdef';
export const BENCH_CATALOG = new URL('./catalog.json', import.meta.url);

/** Lines of each process's output kept for a failure message. */
const LOG_LINES_MAX = 200;
const POLL_MS = 20;

const ClusterStatus = z.object({
  view: View,
  cluster: z.object({
    epoch: z.number(),
    writable: z.boolean(),
    replicas: z.array(z.object({ name: z.string(), url: z.string(), role: z.string(), appliedSeq: z.number() })),
  }),
});
export type ClusterStatus = z.infer<typeof ClusterStatus>;

const ReplicaStatus = z.object({ name: z.string(), role: z.string(), position: Position });
const StateHash = z.object({ position: Position, stateHash: z.string() });

export interface ClusterOptions {
  replicas: number;
  minReplicas: number;
  /** Files already in place under DATA/replicas (a seeded state) are used as they are. */
  dataDir?: string;
  /** Node flags for the gateway and for the replicas (e.g. --cpu-prof, which NODE_OPTIONS may not carry). */
  gatewayNodeFlags?: string[];
  replicaNodeFlags?: string[];
  replicaArgs?: string[];
  /** pino level of every process; warn by default. */
  logLevel?: string;
}

export { GiveUp, freePort } from '../cli/wait.ts';

/** Polls `check` until it gives a value: benchmarks wait longer and poll faster than tests. */
export function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, pollMs = POLL_MS): Promise<T> {
  return waitUntil(what, check, timeoutMs, pollMs);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every process the benchmark started, so that an interrupted run leaves none behind. */
const everyChild = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of everyChild) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Kills `child` when the benchmark exits, if it is still running then. */
export function killOnExit(child: ChildProcess): ChildProcess {
  everyChild.add(child);
  child.once('exit', () => everyChild.delete(child));
  return child;
}

export class BenchCluster {
  readonly dataDir: string;
  readonly processes = new Map<string, ChildProcess>();
  private readonly logs = new Map<string, string[]>();
  private readonly lineListeners = new Set<(label: string, line: string) => void>();
  private readonly ownsDataDir: boolean;
  gatewayUrl = '';

  private constructor(readonly options: ClusterOptions) {
    this.ownsDataDir = !options.dataDir;
    this.dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'jh-bench-'));
  }

  get graphqlUrl(): string {
    return `${this.gatewayUrl}/graphql`;
  }

  /** Starts the gateway and `replicas` replicas, and waits for a writable view of all of them with the catalogue loaded. */
  static async start(options: ClusterOptions): Promise<BenchCluster> {
    const cluster = new BenchCluster(options);
    try {
      await cluster.startGateway();
      for (let i = 1; i <= options.replicas; i++) cluster.startReplica(String(i));
      await cluster.waitForView(options.replicas);
      await cluster.waitForCatalog();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Sees every log line of every process (the kept lines are only the last LOG_LINES_MAX of each). */
  onLogLine(listener: (label: string, line: string) => void): () => void {
    this.lineListeners.add(listener);
    return () => this.lineListeners.delete(listener);
  }

  private spawn(label: string, args: string[], nodeFlags: string[] | undefined): ChildProcess {
    const env: NodeJS.ProcessEnv = { ...process.env, JH_CLUSTER_SECRET: BENCH_SECRET };
    const child = killOnExit(spawnCommand(args, env, nodeFlags));
    const lines = this.logs.get(label) ?? [];
    this.logs.set(label, lines);
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        if (lines.length > LOG_LINES_MAX) lines.shift();
        for (const listener of this.lineListeners) listener(label, line);
      });
    }
    this.processes.set(label, child);
    return child;
  }

  private async startGateway(): Promise<void> {
    const port = await freePort();
    this.gatewayUrl = `http://127.0.0.1:${port}`;
    this.spawn('gateway', [
      'gateway', '--port', String(port), '--data', this.dataDir, '--min-replicas', String(this.options.minReplicas),
      '--postcodes', 'offline', '--mutation-rate-limit', '0', '--query-rate-limit', '0', '--connections-per-address', '0', '--subscriptions-per-connection', '0', '--every-stock-change-per-client', '0', '--every-stock-change-total', '0', '--log-level', this.options.logLevel ?? 'warn', '--catalog', fileURLToPath(BENCH_CATALOG),
    ], this.options.gatewayNodeFlags);
    const gateway = this.processes.get('gateway');
    await waitFor('the gateway to listen', async () => {
      if (gateway?.exitCode !== null) throw new GiveUp(`the gateway exited with code ${String(gateway?.exitCode)}`);
      return (await fetch(`${this.gatewayUrl}/healthz`)).ok;
    }).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${this.dump()}`);
    });
  }

  /** Starts (or restarts, from its file) replica `name`. */
  startReplica(name: string): ChildProcess {
    return this.spawn(name, ['replica', name, '--gateway', this.gatewayUrl, '--data', this.dataDir, '--port', '0', '--log-level', this.options.logLevel ?? 'warn', ...(this.options.replicaArgs ?? [])],
      this.options.replicaNodeFlags);
  }

  /** Sends `signal` to a process and waits until it has exited. */
  async signal(label: string, signal: NodeJS.Signals): Promise<void> {
    const child = this.processes.get(label);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  async status(): Promise<ClusterStatus> {
    const response = await fetch(`${this.gatewayUrl}/cluster/status`, { headers: { [CLUSTER_SECRET_HEADER]: BENCH_SECRET } });
    if (!response.ok) throw new Error(`/cluster/status: HTTP ${response.status}`);
    return ClusterStatus.parse(await response.json());
  }

  /** A replica's own view of its position, straight from it (fresher than its last heartbeat). */
  async replicaPosition(url: string): Promise<{ role: string; seq: number }> {
    const response = await fetch(`${url}/status`, { headers: { [CLUSTER_SECRET_HEADER]: BENCH_SECRET } });
    if (!response.ok) throw new Error(`${url}/status: HTTP ${response.status}`);
    const status = ReplicaStatus.parse(await response.json());
    return { role: status.role, seq: status.position.seq };
  }

  async primary(): Promise<{ name: string; url: string }> {
    const { view, cluster } = await this.status();
    const row = cluster.replicas.find((r) => r.name === view.primary);
    if (!row) throw new Error('no primary');
    return { name: row.name, url: row.url };
  }

  /** Waits until the view has a primary and `size - 1` backups and takes writes. */
  waitForView(size: number, timeoutMs = 120_000): Promise<ClusterStatus> {
    return waitFor(`a writable view of ${size} replicas`, async () => {
      const status = await this.status();
      return status.cluster.writable && status.view.backups.length + 1 === size ? status : null;
    }, timeoutMs, 50).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${this.dump()}`);
    });
  }

  private async waitForCatalog(): Promise<void> {
    await waitFor('the catalogue', async () => {
      const response = await fetch(this.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ products { id } }' }) });
      const body = z.object({ data: z.object({ products: z.array(z.unknown()) }).nullish() }).parse(await response.json());
      return (body.data?.products.length ?? 0) > 0;
    }, 60_000, 100);
  }

  /**
   * Waits until every live replica holds the same state (same position and
   * state hash): the benchmark's check that what it measured was real,
   * replicated work.
   */
  async waitForConvergence(size: number, timeoutMs = 60_000): Promise<{ seq: number }> {
    return waitFor(`${size} replicas to hold the same state`, async () => {
      const { cluster } = await this.status();
      const live = cluster.replicas.filter((r) => r.role !== 'OFFLINE');
      if (live.length !== size) return null;
      const hashes = await Promise.all(live.map(async (r) => {
        const response = await fetch(`${r.url}/state-hash`, { headers: { [CLUSTER_SECRET_HEADER]: BENCH_SECRET } });
        return StateHash.parse(await response.json());
      }));
      const first = hashes[0];
      return first && hashes.every((h) => h.position.seq === first.position.seq && h.stateHash === first.stateHash) ? { seq: first.position.seq } : null;
    }, timeoutMs, 200);
  }

  /** Stops every process (SIGTERM, so CPU profiles get written) and removes the data directory it made. */
  async stop(): Promise<void> {
    const labels = [...this.processes.keys()];
    await Promise.all(labels.map(async (label) => {
      const child = this.processes.get(label);
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(forced);
    }));
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** The last log lines of every process. */
  dump(lines = 20): string {
    return [...this.logs].map(([label, log]) => `--- ${label}\n${log.slice(-lines).join('\n')}`).join('\n');
  }
}
