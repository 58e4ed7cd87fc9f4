// `just-hungry up`: the gateway and N replicas as child processes on
// 127.0.0.1 sharing one data directory, their logs in one readable stream.
// Ctrl-C stops them all.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadClusterSecret } from '../replicas/cluster-secret.ts';
import type { GatewayFlags } from './main.ts';

const ENTRY = fileURLToPath(new URL('./index.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const READY_WAIT_MS = 30_000;

/** Starts a `just-hungry` sub-command as a child process. */
export function spawnCommand(args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(process.execPath, ['--import', TSX, ENTRY, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function runUp(flags: GatewayFlags & { replicas: number }): Promise<void> {
  const data = resolve(flags.data);
  loadClusterSecret(data, process.env.JH_CLUSTER_SECRET);
  const gatewayUrl = `http://${flags.host}:${flags.port}`;
  const children = new Map<string, ChildProcess>();
  const shared = ['--data', data, '--log-level', flags.logLevel, '--heartbeat-ms', String(flags.heartbeatMs)];

  const gatewayArgs = ['gateway', ...shared, '--port', String(flags.port), '--host', flags.host, '--min-replicas', String(flags.minReplicas),
    '--suspect-ms', String(flags.suspectMs), '--postcodes', flags.postcodes, '--postcodes-url', flags.postcodesUrl,
    '--request-deadline-ms', String(flags.requestDeadlineMs), '--subscriber-buffer-max', String(flags.subscriberBufferMax),
    '--mutation-rate-limit', String(flags.mutationRateLimit), '--web-dir', resolve(flags.webDir)];
  if (!flags.introspection) gatewayArgs.push('--no-introspection');
  if (flags.catalog) gatewayArgs.push('--catalog', resolve(flags.catalog));
  children.set('gateway', spawnCommand(gatewayArgs));
  for (let i = 1; i <= flags.replicas; i++) {
    children.set(`replica ${i}`, spawnCommand(['replica', String(i), ...shared, '--gateway', gatewayUrl, '--host', flags.host]));
  }
  let stopping = false;
  for (const [label, child] of children) {
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${formatLine(label, line)}\n`));
    }
    child.on('exit', (code, signal) => {
      if (!stopping) process.stdout.write(`[${label}] exited (${signal ?? code}); start it again with the same command to rejoin\n`);
    });
  }
  const stop = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('stopping...\n');
    for (const child of children.values()) child.kill('SIGTERM');
    setTimeout(() => process.exit(0), 2000).unref();
    Promise.all([...children.values()].map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r))))).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  if (await waitReady(gatewayUrl)) {
    process.stdout.write(
      [
        '',
        'Just Hungry is up.',
        `  Web app:            ${gatewayUrl}/${existsSync(resolve(flags.webDir, 'index.html')) ? '' : '  (not built: npm run build)'}`,
        `  GraphQL + GraphiQL: ${gatewayUrl}/graphql`,
        `  Health:             ${gatewayUrl}/healthz  ${gatewayUrl}/readyz`,
        `  Data:               ${data}`,
        `  Postcodes:          ${flags.postcodes === 'offline' ? 'offline (format check only)' : flags.postcodesUrl}`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n') + '\n',
    );
  } else {
    process.stdout.write(`The cluster did not become writable within ${READY_WAIT_MS / 1000}s; see the logs above.\n`);
  }
}

async function waitReady(gatewayUrl: string): Promise<boolean> {
  const deadline = Date.now() + READY_WAIT_MS;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${gatewayUrl}/readyz`);
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** One JSON log line as `12:00:01 [replica 2] role change from=BACKUP to=PRIMARY`. */
export function formatLine(label: string, line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `[${label}] ${line}`;
  }
  const { time, msg, level: _level, pid: _pid, hostname: _host, process: _process, ...rest } = record;
  if (label.endsWith(` ${String(rest.name)}`)) delete rest.name;
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const clock = typeof time === 'string' ? time.slice(11, 19) : '';
  return `${clock} [${label}] ${String(msg ?? '')} ${fields.join(' ')}`.trimEnd();
}
