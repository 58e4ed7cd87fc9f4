// Starts a real cluster for a test: the gateway and replicas as separate
// processes on 127.0.0.1 with free ports and a fresh data directory, and
// tears it all down afterwards.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll } from 'vitest';
import { spawnCommand } from '../../cli/up.ts';
import { freePort, waitFor } from '../../cli/wait.ts';

export const SECRET = 'test-cluster-secret-0123456789';

/**
 * How long a test waits for its processes to start and form a view: the one
 * place start-up waits come from, and generous (a busy machine starts
 * processes slowly; how fast they start is the benchmark's to say).
 */
export const START_WAIT_MS = 60_000;

export interface ClusterOptions {
  replicas?: number;
  minReplicas?: number;
  /** Base URL of a postcodes.io stand-in; offline (format check only) when absent. */
  postcodesUrl?: string;
  gatewayArgs?: string[];
  replicaArgs?: string[];
}

export interface GraphQLResponse<T = Record<string, any>> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export { freePort, waitFor } from '../../cli/wait.ts';

/**
 * One cluster for the enclosing describe block (or file): started before its
 * first test and handed to `use`, closed after its last, whatever happened.
 */
export function clusterForBlock<C extends { close(): Promise<void> }>(start: () => Promise<C>, use: (cluster: C) => void): void {
  let started: C | undefined;
  beforeAll(async () => use((started = await start())));
  afterAll(async () => {
    await started?.close();
  });
}

/** What the shop helpers need of a cluster: a GraphQL endpoint. */
export interface GraphQLClient {
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>;
}

/** One GraphQL request over HTTP, as a client sends it. */
export async function postGraphQL<T>(gatewayUrl: string, query: string, variables: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${gatewayUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as GraphQLResponse<T>;
}

/** A POST to a replica's or the view service's internal endpoint, with the cluster secret when one is given. */
export async function postInternal(url: string, body: unknown, secret?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (secret !== undefined) headers['x-jh-cluster-secret'] = secret;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export interface ReplicaStatusRow {
  name: string;
  url: string;
  role: string;
  appliedSeq: number;
}

/**
 * What a test asks of any running cluster, in-process or processes: GraphQL,
 * and the view, state hashes and convergence straight from the view service
 * and the replicas (with the cluster secret).
 */
export abstract class ClusterHandle implements GraphQLClient {
  abstract readonly gatewayUrl: string;
  protected abstract readonly secret: string;
  abstract gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>;
  /** What to show beside a failure (the processes' last log lines). */
  dump(): string {
    return '';
  }

  async status(): Promise<{ view: { epoch: number; primary: string | null; backups: string[] }; cluster: { epoch: number; writable: boolean; replicas: ReplicaStatusRow[] } }> {
    const response = await fetch(`${this.gatewayUrl}/cluster/status`, { headers: { 'x-jh-cluster-secret': this.secret } });
    if (!response.ok) throw new Error(`status: HTTP ${response.status}`);
    return response.json() as never;
  }

  async primary(): Promise<string> {
    const { view } = await this.status();
    if (!view.primary) throw new Error('no primary');
    return view.primary;
  }

  /** Waits until the view has a primary and `size - 1` backups and takes writes. */
  async waitForView(size: number, timeoutMs = START_WAIT_MS) {
    return waitFor(`a writable view of ${size}`, async () => {
      const status = await this.status();
      return status.cluster.writable && status.view.backups.length + 1 === size ? status : null;
    }, timeoutMs);
  }

  async waitForCatalog(): Promise<void> {
    await waitFor('the catalogue', async () => {
      const response = await this.gql<{ products: unknown[] }>('{ products { id } }');
      return (response.data?.products.length ?? 0) > 0;
    }, START_WAIT_MS);
  }

  /** Every live replica's committed position and state hash, straight from the replicas. */
  async stateHashes(): Promise<Map<string, { seq: number; stateHash: string }>> {
    const { cluster } = await this.status();
    const hashes = new Map<string, { seq: number; stateHash: string }>();
    for (const replica of cluster.replicas.filter((r) => r.role !== 'OFFLINE')) {
      const response = await fetch(`${replica.url}/state-hash`, { headers: { 'x-jh-cluster-secret': this.secret } });
      const body = (await response.json()) as { position: { seq: number }; stateHash: string };
      hashes.set(replica.name, { seq: body.position.seq, stateHash: body.stateHash });
    }
    return hashes;
  }

  /** Waits until every replica in the view is at the same seq with the same state hash. */
  async waitForConvergence(size: number, timeoutMs = 20_000): Promise<{ seq: number; stateHash: string }> {
    let seen = '';
    try {
      return await waitFor(`${size} replicas to converge`, async () => {
        const all = await this.stateHashes();
        seen = JSON.stringify([...all]);
        const hashes = [...all.values()];
        const first = hashes[0];
        if (hashes.length !== size || !first) return null;
        return hashes.every((h) => h.seq === first.seq && h.stateHash === first.stateHash) ? first : null;
      }, timeoutMs);
    } catch (error) {
      throw new Error(`${String(error)}; last seen ${seen}\n${this.dump()}`);
    }
  }

}

export class TestCluster extends ClusterHandle {
  protected readonly secret = SECRET;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'jh-test-'));
  readonly processes = new Map<string, ChildProcess>();
  readonly logs = new Map<string, string[]>();
  gatewayUrl = '';
  private gatewayPort = 0;

  constructor(readonly options: ClusterOptions = {}) {
    super();
  }

  /** Starts a cluster and waits until it takes orders; one that does not start is torn down before the error is thrown. */
  static async start(options: ClusterOptions = {}): Promise<TestCluster> {
    const cluster = new TestCluster(options);
    try {
      await cluster.startGateway();
      for (let i = 1; i <= (options.replicas ?? 3); i++) cluster.startReplica(String(i));
      await cluster.waitForView(options.replicas ?? 3);
      await cluster.waitForCatalog();
    } catch (error) {
      const dump = cluster.dump();
      await cluster.close();
      throw new Error(`the test cluster did not start: ${error instanceof Error ? error.message : String(error)}\n${dump}`);
    }
    return cluster;
  }

  private spawn(label: string, args: string[]): ChildProcess {
    const child = spawnCommand(args, { ...process.env, JH_CLUSTER_SECRET: SECRET });
    const lines: string[] = this.logs.get(label) ?? [];
    this.logs.set(label, lines);
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => lines.push(line));
    }
    this.processes.set(label, child);
    return child;
  }

  async startGateway(): Promise<void> {
    if (!this.gatewayPort) this.gatewayPort = await freePort();
    this.gatewayUrl = `http://127.0.0.1:${this.gatewayPort}`;
    const postcodes = this.options.postcodesUrl ? ['--postcodes-url', this.options.postcodesUrl] : ['--postcodes', 'offline'];
    this.spawn('gateway', [
      'gateway', '--port', String(this.gatewayPort), '--data', this.dataDir, '--min-replicas', String(this.options.minReplicas ?? 2),
      // No rate limits unless a test asks for them: tests drive many requests and feeds from one address.
      '--log-level', 'info', '--mutation-rate-limit', '0', '--query-rate-limit', '0', '--connections-per-address', '0', '--every-stock-change-per-client', '0', '--every-stock-change-total', '0', ...postcodes, ...(this.options.gatewayArgs ?? []),
    ]);
    await waitFor('the gateway to listen', async () => (await fetch(`${this.gatewayUrl}/healthz`)).ok, START_WAIT_MS);
  }

  /** Starts replica `name`; its file lives in the cluster's data directory unless `dataDir` says where. */
  startReplica(name: string, dataDir = this.dataDir): ChildProcess {
    return this.spawn(`replica ${name}`, ['replica', name, '--gateway', this.gatewayUrl, '--data', dataDir, '--log-level', 'info', ...(this.options.replicaArgs ?? [])]);
  }

  /** Sends a signal to a process and, for a kill, waits until it is gone. */
  async signal(label: string, signal: NodeJS.Signals): Promise<void> {
    const child = this.processes.get(label);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') await exited;
  }

  kill(label: string): Promise<void> {
    return this.signal(label, 'SIGKILL');
  }

  gql<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLResponse<T>> {
    return postGraphQL<T>(this.gatewayUrl, query, variables, token);
  }

  async close(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((label) => this.kill(label)));
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** The last log lines of every process, for a failing test's message. */
  override dump(lines = 30): string {
    return [...this.logs].map(([label, log]) => `--- ${label}\n${log.slice(-lines).join('\n')}`).join('\n');
  }
}
