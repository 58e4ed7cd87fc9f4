// `just-hungry up`: the gateway and N replicas as child processes on
// 127.0.0.1 sharing one data directory, their logs in one readable stream.
// Ctrl-C stops them all.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadClusterSecret } from '../replicas/cluster-secret.ts';
import { sleep } from '../replicas/sleep.ts';
import type { GatewayFlags } from './main.ts';

/** The package's folder, whether this module runs from its source (cli/up.ts) or from the build (dist/cli/up.js). */
export const PACKAGE_ROOT = new URL(import.meta.url.endsWith('/dist/cli/up.js') ? '../../' : '../', import.meta.url);
/** The compiled command (`npm run build`): a child starts at once, with no TypeScript to compile. */
export const COMMAND_ENTRY = fileURLToPath(new URL('dist/cli/index.js', PACKAGE_ROOT));

const READY_POLL_MS = 200;
/** A /readyz call that takes longer than this counts as no answer (the gateway may be frozen or swamped). */
const READY_CALL_TIMEOUT_MS = 5000;
/** How often `up` says what it is still waiting for. */
const PROGRESS_EVERY_MS = 3000;

/** Starts a `just-hungry` sub-command as a child process (`nodeFlags` go before the script, e.g. --cpu-prof). */
export function spawnCommand(args: string[], env: NodeJS.ProcessEnv = process.env, nodeFlags: string[] = []): ChildProcess {
  if (!existsSync(COMMAND_ENTRY)) throw new Error(`${COMMAND_ENTRY} is missing: run \`npm run build\` first`);
  return spawn(process.execPath, [...nodeFlags, COMMAND_ENTRY, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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
    '--mutation-rate-limit', String(flags.mutationRateLimit), '--query-rate-limit', String(flags.queryRateLimit),
    '--connections-per-address', String(flags.connectionsPerAddress), '--subscriptions-per-connection', String(flags.subscriptionsPerConnection),
    '--every-stock-change-per-client', String(flags.everyStockChangePerClient), '--every-stock-change-total', String(flags.everyStockChangeTotal),
    '--web-dir', resolve(flags.webDir)];
  if (!flags.introspection) gatewayArgs.push('--no-introspection');
  if (!flags.graphiql) gatewayArgs.push('--no-graphiql');
  if (flags.production) gatewayArgs.push('--production');
  if (flags.corsOrigins.length > 0) gatewayArgs.push('--cors-origins', flags.corsOrigins.join(','));
  if (flags.catalog) gatewayArgs.push('--catalog', resolve(flags.catalog));
  // Each child with the command that starts it again by hand (after a kill, say).
  const commands = new Map<string, string[]>([['gateway', gatewayArgs]]);
  for (let i = 1; i <= flags.replicas; i++) commands.set(`replica ${i}`, ['replica', String(i), ...shared, '--gateway', gatewayUrl, '--host', flags.host]);
  let stopping = false;
  for (const [label, args] of commands) {
    const child = spawnCommand(args);
    children.set(label, child);
    process.stdout.write(`${clock()} [up] started ${label}, pid ${child.pid}\n`);
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${formatLine(label, line)}\n`));
    }
    child.on('exit', (code, signal) => {
      if (!stopping) process.stdout.write(`${clock()} [up] ${label} (pid ${child.pid}) exited (${signal ?? code}); start it again with: npx just-hungry ${args.join(' ')}\n`);
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

  if (!(await waitReady(gatewayUrl, children.get('gateway'), () => stopping))) return;
  const postcodes = flags.postcodes === 'offline' ? 'offline (format check only)' : await postcodesStatus(flags.postcodesUrl);
  process.stdout.write(
    [
      '',
      'Just Hungry is up.',
      `  Web app:            ${gatewayUrl}/${existsSync(resolve(flags.webDir, 'index.html')) ? '' : '  (not built: npm run build)'}`,
      `  GraphQL + GraphiQL: ${gatewayUrl}/graphql`,
      `  Health:             ${gatewayUrl}/healthz  ${gatewayUrl}/readyz`,
      `  Data:               ${data}`,
      `  Postcodes:          ${postcodes}`,
      `  Processes:          ${[...children].map(([label, child]) => `${label} pid ${child.pid}`).join(', ')}`,
      '  Try a failover:     kill -9 the primary\'s pid (its name: { cluster { primary { name } } }); README, "Try a failover by hand"',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n') + '\n',
  );
}

const clock = () => new Date().toISOString().slice(11, 19);

/** How many ms `up` gives postcodes.io to answer once at start-up. */
const POSTCODES_PROBE_MS = 3000;

/**
 * The banner's postcodes line: the service's URL, or, when it cannot be
 * reached (no internet, say), what that means and the flag that fixes it.
 */
async function postcodesStatus(baseUrl: string): Promise<string> {
  try {
    const response = await fetch(new URL('postcodes/SW1A1AA/validate', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`), { signal: AbortSignal.timeout(POSTCODES_PROBE_MS) });
    if (response.ok) return baseUrl;
    throw new Error(`HTTP ${response.status}`);
  } catch (error) {
    const why = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${POSTCODES_PROBE_MS / 1000} s` : error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    return `${baseUrl} cannot be reached (${why}): sign-ups and address changes will be refused until it can. Start with --postcodes offline to check postcodes' format only.`;
  }
}

/**
 * Polls /readyz until the cluster takes writes, however long that takes (a busy
 * machine may need minutes), saying every few seconds why it is not ready yet.
 * False only when `up` is stopping.
 */
async function waitReady(gatewayUrl: string, gateway: ChildProcess | undefined, stopping: () => boolean): Promise<boolean> {
  const startedMs = Date.now();
  let progressAtMs = startedMs + PROGRESS_EVERY_MS;
  while (!stopping()) {
    let notReady = await whyNotReady(gatewayUrl);
    if (notReady === null) return true;
    if (gateway && (gateway.exitCode !== null || gateway.signalCode !== null)) notReady = 'our gateway process has exited (see its log above)';
    if (Date.now() >= progressAtMs && !stopping()) {
      const waitedSeconds = Math.round((Date.now() - startedMs) / 1000);
      process.stdout.write(`${clock()} [up] waiting for the cluster to take orders (${waitedSeconds} s): ${notReady}\n`);
      progressAtMs = Date.now() + PROGRESS_EVERY_MS;
    }
    await sleep(READY_POLL_MS);
  }
  return false;
}

/** Null when the gateway's /readyz says the cluster takes writes; otherwise why not, in a few words. */
async function whyNotReady(gatewayUrl: string): Promise<string | null> {
  let response: Response;
  try {
    response = await fetch(`${gatewayUrl}/readyz`, { signal: AbortSignal.timeout(READY_CALL_TIMEOUT_MS) });
  } catch (error) {
    return error instanceof Error && error.name === 'TimeoutError'
      ? `the gateway did not answer /readyz within ${READY_CALL_TIMEOUT_MS / 1000} s`
      : 'the gateway is not listening yet';
  }
  const report = readinessReport(await response.json().catch(() => null));
  if (!report) return response.ok ? null : `/readyz answered HTTP ${response.status}`;
  return report.writable ? null : report.reason ?? 'the gateway says not writable, with no reason';
}

/** /readyz's body, `{ writable, reason }`, checked by hand: zod would add 100 ms to the start of every command. */
function readinessReport(body: unknown): { writable: boolean; reason: string | null } | null {
  if (typeof body !== 'object' || body === null || !('writable' in body) || typeof body.writable !== 'boolean') return null;
  return { writable: body.writable, reason: 'reason' in body && typeof body.reason === 'string' ? body.reason : null };
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
