// The chaos harness's cluster: a gateway and N replicas as real processes on
// 127.0.0.1 with fixed ports, every link between them behind a fault-injecting
// proxy (JH_PEER_ROUTES), one shared data directory so a restarted replica
// comes back from its own SQLite file. Processes can be killed, stopped
// (SIGSTOP), continued and started again with the same command.
import type { ChildProcess } from 'node:child_process';
import { type WriteStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { spawnCommand } from '../cli/up.ts';
import { CLUSTER_SECRET_HEADER } from '../replicas/protocol.ts';
import type { Staff, StaffRole } from '../replicas/domain/types.ts';
import { newStaffToken } from '../server/tokens.ts';
import { Network } from './proxy.ts';

export const GATEWAY = 'gateway';
const LOG_LINES_KEPT = 400;
const CALL_TIMEOUT_MS = 2000;
const STAFF_ADD_TIMEOUT_MS = 10_000;

export interface ChaosClusterConfig {
  replicas: number;
  dataDir: string;
  /** Each process's log is appended to `<logDir>/<name>.log`; null keeps only the last lines in memory. */
  logDir: string | null;
  secret: string;
  catalogFile: string;
  requestDeadlineMs: number;
  /** The gateway's --suspect-ms (its default when absent). */
  suspectMs?: number;
  /** A process exited without the harness asking it to. */
  onUnexpectedExit: (name: string, how: string) => void;
}

export interface ViewStatus {
  view: { epoch: number; primary: string | null; backups: string[] };
  cluster: { epoch: number; writable: boolean; replicas: { name: string; url: string; role: string; appliedSeq: number }[] };
}

export interface LogEntryRow {
  seq: number;
  epoch: number;
  requestId: string;
  effect: string;
  hash: string;
}

type ProcessState = 'running' | 'paused' | 'stopped';

interface Managed {
  child: ChildProcess | null;
  state: ProcessState;
  /** Set before the harness kills or stops it, so its exit is not reported as a crash. */
  expectExit: boolean;
  exited: Promise<void>;
}

export class ChaosCluster {
  readonly replicaNames: string[];
  readonly gatewayUrl: string;
  private readonly processes = new Map<string, Managed>();
  private readonly recent = new Map<string, string[]>();
  private readonly logFiles = new Map<string, WriteStream>();
  private closing = false;

  private constructor(
    private readonly config: ChaosClusterConfig,
    private readonly ports: Map<string, number>,
    readonly network: Network,
  ) {
    this.replicaNames = [...ports.keys()].filter((name) => name !== GATEWAY);
    this.gatewayUrl = this.urlOf(GATEWAY);
  }

  static async start(config: ChaosClusterConfig): Promise<ChaosCluster> {
    const ports = new Map<string, number>([[GATEWAY, await freePort()]]);
    for (let i = 1; i <= config.replicas; i++) ports.set(String(i), await freePort());
    const network = await Network.start(ports);
    const cluster = new ChaosCluster(config, ports, network);
    cluster.start(GATEWAY);
    for (const name of cluster.replicaNames) cluster.start(name);
    return cluster;
  }

  urlOf(name: string): string {
    return `http://127.0.0.1:${this.ports.get(name) ?? 0}`;
  }

  state(name: string): ProcessState {
    return this.processes.get(name)?.state ?? 'stopped';
  }

  /** Starts a process (again) with the same command, port and data. */
  start(name: string): void {
    if (this.closing || this.state(name) !== 'stopped') return;
    const env = { ...process.env, JH_CLUSTER_SECRET: this.config.secret, JH_PEER_ROUTES: this.network.routesFrom(name, (peer) => this.urlOf(peer)) };
    const port = String(this.ports.get(name));
    const shared = ['--data', this.config.dataDir, '--port', port, '--host', '127.0.0.1', '--log-level', 'info'];
    const args = name === GATEWAY
      ? ['gateway', ...shared, '--min-replicas', '2', '--mutation-rate-limit', '0', '--query-rate-limit', '0', '--connections-per-address', '0', '--every-stock-change-per-client', '0', '--postcodes', 'offline',
        '--catalog', this.config.catalogFile, '--request-deadline-ms', String(this.config.requestDeadlineMs),
        ...(this.config.suspectMs === undefined ? [] : ['--suspect-ms', String(this.config.suspectMs)])]
      : ['replica', name, ...shared, '--gateway', this.gatewayUrl];
    const child = spawnCommand(args, env);
    const managed: Managed = { child, state: 'running', expectExit: false, exited: Promise.resolve() };
    managed.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        managed.state = 'stopped';
        managed.child = null;
        if (!managed.expectExit && !this.closing) this.config.onUnexpectedExit(name, signal ?? `code ${String(code)}`);
        resolve();
      });
    });
    this.processes.set(name, managed);
    this.capture(name, child);
  }

  /** Sends SIGKILL (a crash) or SIGTERM (a clean stop) and waits until the process is gone. */
  async stop(name: string, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const managed = this.processes.get(name);
    if (!managed?.child || managed.state === 'stopped') return;
    managed.expectExit = true;
    // A stopped process cannot run its SIGTERM handler: continue it first.
    if (managed.state === 'paused' && signal === 'SIGTERM') managed.child.kill('SIGCONT');
    managed.child.kill(signal);
    await managed.exited;
  }

  /** Kills at once, without waiting: for a kill timed to a byte on the wire. */
  killNow(name: string): void {
    const managed = this.processes.get(name);
    if (!managed?.child || managed.state === 'stopped') return;
    managed.expectExit = true;
    managed.child.kill('SIGKILL');
  }

  pause(name: string): void {
    const managed = this.processes.get(name);
    if (!managed?.child || managed.state !== 'running') return;
    managed.child.kill('SIGSTOP');
    managed.state = 'paused';
  }

  resume(name: string): void {
    const managed = this.processes.get(name);
    if (!managed?.child || managed.state !== 'paused') return;
    managed.child.kill('SIGCONT');
    managed.state = 'running';
  }

  async status(): Promise<ViewStatus> {
    const response = await fetch(`${this.gatewayUrl}/cluster/status`, {
      headers: { [CLUSTER_SECRET_HEADER]: this.config.secret },
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`cluster status: HTTP ${response.status}`);
    return (await response.json()) as ViewStatus;
  }

  /**
   * Adds a member of staff as `just-hungry staff add` does: the token is made
   * here and only its hash is sent, with the cluster secret. One call: the
   * caller decides whether to try again (with a new token, so a first call
   * that did add someone leaves a member nobody holds the token of).
   */
  async addStaff(name: string, role: StaffRole): Promise<{ staff: Staff; token: string }> {
    const { token, tokenHash } = newStaffToken();
    const response = await fetch(`${this.gatewayUrl}/cluster/staff/add`, {
      method: 'POST',
      headers: { [CLUSTER_SECRET_HEADER]: this.config.secret, 'content-type': 'application/json' },
      body: JSON.stringify({ name, role, tokenHash }),
      signal: AbortSignal.timeout(STAFF_ADD_TIMEOUT_MS),
    });
    const body = (await response.json().catch(() => ({}))) as { staff?: Staff };
    if (!response.ok || !body.staff) throw new Error(`adding ${name} (${role}): HTTP ${response.status} ${JSON.stringify(body)}`);
    return { staff: body.staff, token };
  }

  /** A replica's committed position and state hash, asked directly (not through any proxy). */
  async stateHash(name: string): Promise<{ seq: number; stateHash: string }> {
    const response = await fetch(`${this.urlOf(name)}/state-hash`, {
      headers: { [CLUSTER_SECRET_HEADER]: this.config.secret },
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`state hash of ${name}: HTTP ${response.status}`);
    const body = (await response.json()) as { position: { seq: number }; stateHash: string };
    return { seq: body.position.seq, stateHash: body.stateHash };
  }

  /** One unlabelled value (or the sum over labels) from the gateway's /metrics. */
  async gatewayMetric(name: string): Promise<number> {
    const response = await fetch(`${this.gatewayUrl}/metrics`, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    const text = await response.text();
    let sum = 0;
    let found = false;
    for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) {
      sum += Number(match[1]);
      found = true;
    }
    if (!found) throw new Error(`the gateway has no metric ${name}`);
    return sum;
  }

  /** The log a replica holds in its SQLite file (read-only, while it runs). */
  readLog(name: string): LogEntryRow[] {
    const file = join(this.config.dataDir, 'replicas', `${name}.db`);
    if (!existsSync(file)) return [];
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      return db.prepare('SELECT seq, epoch, request_id AS requestId, effect, hash FROM log ORDER BY seq').all() as LogEntryRow[];
    } finally {
      db.close();
    }
  }

  /** The last lines each process logged, for a report. */
  recentLogs(lines = 60): Record<string, string[]> {
    return Object.fromEntries([...this.recent].map(([name, kept]) => [name, kept.slice(-lines)]));
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.processes.keys()].map((name) => this.stop(name, 'SIGKILL')));
    await this.network.close();
    await Promise.all([...this.logFiles.values()].map((file) => new Promise((resolve) => file.end(resolve))));
  }

  private capture(name: string, child: ChildProcess): void {
    const kept = this.recent.get(name) ?? [];
    this.recent.set(name, kept);
    let file = this.logFiles.get(name);
    if (!file && this.config.logDir) {
      file = createWriteStream(join(this.config.logDir, `${name === GATEWAY ? name : `replica-${name}`}.log`), { flags: 'a' });
      this.logFiles.set(name, file);
    }
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        kept.push(line);
        if (kept.length > LOG_LINES_KEPT * 2) kept.splice(0, kept.length - LOG_LINES_KEPT);
        file?.write(`${line}\n`);
      });
    }
  }
}

/**
 * A free port below the kernel's ephemeral range: a replica that is down
 * keeps its port, and an outgoing connection could otherwise take it
 * meanwhile and stop the replica from starting again.
 */
export async function freePort(): Promise<number> {
  const ephemeralLow = ephemeralRangeStart();
  const low = Math.max(1024, ephemeralLow - 12_000);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (ephemeralLow - low));
    if (!chosen.has(port) && (await canListen(port))) {
      chosen.add(port);
      return port;
    }
  }
  throw new Error('no free port below the ephemeral range');
}

const chosen = new Set<number>();

function ephemeralRangeStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 2048 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
