// `just-hungry`: every process of the service behind one command. Flags are
// parsed and checked here, once; everything below gets typed values.
// The gateway, the replica and the order client, with zod and pino, are loaded
// only by the command that runs them: `--help` and `up` start without them.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { loadClusterSecret } from '../replicas/cluster-secret.ts';
import { type Catalog, STAFF_ROLES, type StaffRole } from '../replicas/domain/types.ts';
import { type OrderFlags, orderOptions } from '../client/terminal/flags.ts';
import { EVERY_STOCK_CHANGE_TOTAL } from '../server/defaults.ts';
import type { StaffFlags } from './staff.ts';
import { PACKAGE_ROOT, runUp } from './up.ts';

// From the package's folder: this module runs from dist/cli/ as well as from cli/.
export const DEFAULT_CATALOG = new URL('replicas/catalog.json', PACKAGE_ROOT);
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('client/web/dist', PACKAGE_ROOT));
export const DEFAULT_POSTCODES_URL = 'https://api.postcodes.io';

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    return n;
  };
}

function url(value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
    return value.replace(/\/+$/, '');
  } catch {
    throw new InvalidArgumentError('expected an http(s) URL.');
  }
}

/** A comma-separated list of web origins (scheme, host and port, no path), e.g. `https://shop.example,http://localhost:5173`. */
function origins(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item !== '').map((item) => {
    let origin: string | null = null;
    try {
      origin = new URL(item).origin;
    } catch {
      // reported below
    }
    if (origin === null || origin === 'null' || origin !== item.replace(/\/+$/, '')) {
      throw new InvalidArgumentError(`"${item}" is not an origin (scheme://host[:port], no path).`);
    }
    return origin;
  });
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'];

async function logger(options: { logLevel: string }, bindings: Record<string, string>): Promise<Logger> {
  const { pino } = await import('pino');
  return pino({ level: options.logLevel, base: bindings, timestamp: pino.stdTimeFunctions.isoTime });
}

async function loadCatalog(file: string | undefined): Promise<Catalog> {
  const [{ z }, { DeliveryOptionWire, ProductWire }] = await Promise.all([import('zod'), import('../replicas/protocol.ts')]);
  const CatalogFile = z.object({ products: z.array(ProductWire).min(1), deliveryOptions: z.array(DeliveryOptionWire).min(1) });
  const path = file ? resolve(file) : DEFAULT_CATALOG;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(`--catalog: cannot read ${String(path)}: ${(error as Error).message}`);
  }
  const parsed = CatalogFile.safeParse(JSON.parse(text));
  if (!parsed.success) throw new InvalidArgumentError(`--catalog: ${String(path)} is not a catalogue: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

const dataOption = () => new Option('--data <dir>', 'where state, the view and the cluster secret live').env('JH_DATA').default('./data');
const hostOption = () => new Option('--host <host>', 'address to listen on').env('JH_HOST').default('127.0.0.1');
const logOption = () => new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).env('JH_LOG_LEVEL').default('info');
const heartbeatOption = () => new Option('--heartbeat-ms <ms>', 'how often replicas report to the view service').argParser(integer(10, 10_000)).env('JH_HEARTBEAT_MS').default(100);

export function gatewayOptions(command: Command): Command {
  return command
    .addOption(new Option('--port <port>', 'port of the GraphQL endpoint').argParser(integer(0, 65535)).env('JH_PORT').default(4000))
    .addOption(hostOption())
    .addOption(dataOption())
    .addOption(new Option('--postcodes-url <url>', 'base URL of postcodes.io').argParser(url).env('JH_POSTCODES_URL').default(DEFAULT_POSTCODES_URL))
    .addOption(new Option('--postcodes <mode>', "'offline' checks postcode format only, with no calls out").choices(['online', 'offline']).env('JH_POSTCODES').default('online'))
    .addOption(new Option('--min-replicas <n>', 'replicas (primary included) needed to accept writes').argParser(integer(1, 64)).env('JH_MIN_REPLICAS').default(2))
    .addOption(new Option('--catalog <file>', 'JSON catalogue for a fresh cluster (products and delivery options)').env('JH_CATALOG'))
    .addOption(heartbeatOption())
    .addOption(new Option('--suspect-ms <ms>', 'silence after which a replica is suspected').argParser(integer(20, 60_000)).env('JH_SUSPECT_MS').default(500))
    .addOption(new Option('--request-deadline-ms <ms>', 'how long a request may wait out a failover').argParser(integer(100, 600_000)).default(15_000))
    .addOption(new Option('--subscriber-buffer-max <n>', 'events a slow subscriber may have waiting before it is cut off').argParser(integer(1, 1_000_000)).default(1000))
    .addOption(new Option('--mutation-rate-limit <n>', 'mutations per client per second (0: no limit)').argParser(integer(0, 1_000_000)).env('JH_MUTATION_RATE_LIMIT').default(20))
    .addOption(new Option('--query-rate-limit <points>', 'query points per client per second: a read of the cluster weighs 5, the cluster view 1 (0: no limit)').argParser(integer(0, 1_000_000)).env('JH_QUERY_RATE_LIMIT').default(200))
    .addOption(new Option('--connections-per-address <n>', 'WebSockets and SSE streams open at once from one address (0: no limit)').argParser(integer(0, 1_000_000)).env('JH_CONNECTIONS_PER_ADDRESS').default(64))
    .addOption(new Option('--subscriptions-per-connection <n>', 'subscriptions at once on one WebSocket (0: no limit)').argParser(integer(0, 1_000_000)).env('JH_SUBSCRIPTIONS_PER_CONNECTION').default(32))
    .addOption(new Option('--every-stock-change-per-client <n>', 'subscriptions to every stock change (stockChanged without atMostEveryMs) one client may hold (0: no limit)').argParser(integer(0, 1_000_000)).env('JH_EVERY_STOCK_CHANGE_PER_CLIENT').default(4))
    .addOption(new Option('--every-stock-change-total <n>', 'subscriptions to every stock change the gateway serves at once, from all clients together (0: no limit)').argParser(integer(0, 1_000_000)).env('JH_EVERY_STOCK_CHANGE_TOTAL').default(EVERY_STOCK_CHANGE_TOTAL))
    .addOption(new Option('--no-introspection', 'refuse GraphQL introspection (GraphiQL then has no schema)'))
    .addOption(new Option('--no-graphiql', 'do not serve GraphiQL at /graphql'))
    .addOption(new Option('--cors-origins <origins>', "other web origins whose pages may call the API (comma-separated); the gateway's own is always allowed").argParser(origins).env('JH_CORS_ORIGINS').default([]))
    .addOption(new Option('--production', 'the settings of a public deployment: --no-introspection and --no-graphiql').env('JH_PRODUCTION').default(false))
    .addOption(new Option('--web-dir <dir>', 'the built web client served at / (npm run build)').env('JH_WEB_DIR').default(DEFAULT_WEB_DIR))
    .addOption(logOption());
}

export interface GatewayFlags {
  port: number;
  host: string;
  data: string;
  postcodesUrl: string;
  postcodes: string;
  minReplicas: number;
  catalog?: string;
  heartbeatMs: number;
  suspectMs: number;
  requestDeadlineMs: number;
  subscriberBufferMax: number;
  mutationRateLimit: number;
  queryRateLimit: number;
  connectionsPerAddress: number;
  subscriptionsPerConnection: number;
  everyStockChangePerClient: number;
  everyStockChangeTotal: number;
  introspection: boolean;
  graphiql: boolean;
  corsOrigins: string[];
  production: boolean;
  webDir: string;
  logLevel: string;
}

export async function runGateway(flags: GatewayFlags) {
  const [{ startGateway }, { createPostcodeChecker }] = await Promise.all([import('../server/gateway.ts'), import('../server/postcode-checker.ts')]);
  const log = await logger(flags, { process: 'gateway' });
  const dataDir = resolve(flags.data);
  return startGateway({
    host: flags.host,
    port: flags.port,
    dataDir,
    secret: loadClusterSecret(dataDir, process.env.JH_CLUSTER_SECRET),
    minReplicas: flags.minReplicas,
    heartbeatMs: flags.heartbeatMs,
    suspectMs: flags.suspectMs,
    requestDeadlineMs: flags.requestDeadlineMs,
    callTimeoutMs: 3000,
    catalog: await loadCatalog(flags.catalog),
    postcodes: createPostcodeChecker(flags.postcodes === 'offline' ? { mode: 'offline' } : { mode: 'online', baseUrl: flags.postcodesUrl }),
    webDir: resolve(flags.webDir),
    subscriberBufferMax: flags.subscriberBufferMax,
    mutationRateLimit: flags.mutationRateLimit,
    queryRateLimit: flags.queryRateLimit,
    connectionsPerAddress: flags.connectionsPerAddress,
    subscriptionsPerConnection: flags.subscriptionsPerConnection,
    everyStockChangePerClient: flags.everyStockChangePerClient,
    everyStockChangeTotal: flags.everyStockChangeTotal,
    introspection: flags.introspection && !flags.production,
    graphiql: flags.graphiql && !flags.production,
    corsOrigins: flags.corsOrigins,
    log,
  });
}

export function replicaOptions(command: Command): Command {
  return command
    .addOption(new Option('--gateway <url>', 'the gateway (view service) to join').argParser(url).env('JH_GATEWAY_URL').default('http://127.0.0.1:4000'))
    .addOption(new Option('--port <port>', 'port to listen on (0: any free one)').argParser(integer(0, 65535)).default(0))
    .addOption(hostOption())
    .addOption(dataOption())
    .addOption(heartbeatOption())
    .addOption(new Option('--replication-timeout-ms <ms>', 'how long a backup has to answer before it is reported').argParser(integer(50, 600_000)).env('JH_REPLICATION_TIMEOUT_MS').default(1000))
    .addOption(new Option('--batch-ops-max <n>', 'most writes in one replication round').argParser(integer(1, 10_000)).default(256))
    .addOption(new Option('--log-entries-max <n>', 'log entries kept for catching up (older ones: snapshot)').argParser(integer(1000, 100_000_000)).default(1_000_000))
    .addOption(logOption());
}

export async function runReplica(name: string, flags: { gateway: string; port: number; host: string; data: string; heartbeatMs: number; replicationTimeoutMs: number; batchOpsMax: number; logEntriesMax: number; logLevel: string }) {
  const { ReplicaName } = await import('../replicas/protocol.ts');
  const parsedName = ReplicaName.safeParse(name);
  if (!parsedName.success) throw new InvalidArgumentError(`NAME: use letters, digits, '.', '_' or '-' (at most 64), not "${name}".`);
  const { startReplica } = await import('../replicas/replica.ts');
  const dataDir = resolve(flags.data);
  const log = await logger(flags, { process: 'replica', name });
  return startReplica({
    name,
    host: flags.host,
    port: flags.port,
    gatewayUrl: flags.gateway,
    dataDir,
    secret: loadClusterSecret(dataDir, process.env.JH_CLUSTER_SECRET),
    heartbeatMs: flags.heartbeatMs,
    replicationTimeoutMs: flags.replicationTimeoutMs,
    batchOpsMax: flags.batchOpsMax,
    shipEntriesMax: 20_000,
    joinLagMax: 1000,
    logEntriesMax: flags.logEntriesMax,
    dedupeEntriesMax: flags.logEntriesMax * 2,
    log,
  });
}

function program(): Command {
  const root = new Command('just-hungry')
    .description('Just Hungry: fault-tolerant food ordering (a GraphQL gateway over primary-backup replicas)')
    .showSuggestionAfterError(true)
    .exitOverride();

  gatewayOptions(root.command('up').description('run the whole service: gateway and replicas on 127.0.0.1'))
    .addOption(new Option('--replicas <n>', 'how many replicas to start').argParser(integer(1, 9)).default(3))
    .action(async (flags) => {
      await runUp(flags);
    });

  gatewayOptions(root.command('gateway').description('run the gateway (GraphQL, view service, router) alone')).action(async (flags: GatewayFlags) => {
    const gateway = await runGateway(flags);
    stopOnSignal(() => gateway.close());
  });

  replicaOptions(root.command('replica').description('run one replica, which joins the cluster').argument('<NAME>', 'the replica\'s name (its file is DATA/replicas/NAME.db)')).action(
    async (name: string, flags) => {
      const replica = await runReplica(name, flags);
      stopOnSignal(() => replica.close());
    },
  );
  orderOptions(root.command('order').description('order food from a terminal: new order, history, cancel')).action(async (flags: OrderFlags) => {
    // The prompt library and urql have no business in the server processes.
    const { runOrder } = await import('../client/terminal/index.ts');
    await runOrder(flags);
  });
  const staff = root.command('staff').description('the kitchen, couriers and operators: add, list, remove (with the cluster secret from --data)');
  const staffOptions = (command: Command) =>
    command
      .addOption(dataOption())
      .addOption(new Option('--gateway <url>', 'the gateway').argParser(url).env('JH_GATEWAY_URL').default('http://127.0.0.1:4000'))
      .addOption(new Option('--json', 'print JSON, for scripts'));
  staffOptions(staff.command('add').description('add a member of staff and print their token, once').argument('<NAME>', 'their name'))
    .addOption(new Option('--role <role>', 'what they do').choices(STAFF_ROLES.map((role) => role.toLowerCase())).makeOptionMandatory())
    .action(async (name: string, flags: StaffFlags & { role: string }) => {
      const { addStaff } = await import('./staff.ts');
      await addStaff(name, flags.role.toUpperCase() as StaffRole, flags);
    });
  staffOptions(staff.command('list').description('list the staff')).action(async (flags: StaffFlags) => {
    const { listStaff } = await import('./staff.ts');
    await listStaff(flags);
  });
  staffOptions(staff.command('remove').description('remove a member of staff: their token stops working').argument('<ID>', 'their id (staff list shows it)')).action(
    async (id: string, flags: StaffFlags) => {
      const { removeStaff } = await import('./staff.ts');
      await removeStaff(id, flags);
    },
  );
  for (const command of [...root.commands, ...staff.commands]) command.exitOverride();
  return root;
}

export function stopOnSignal(close: () => Promise<void>): void {
  const stop = () => {
    close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (error) {
    if (error instanceof InvalidArgumentError) {
      // Thrown by our own checks after parsing; commander has not printed it.
      process.stderr.write(`error: ${error.message}\n`);
      process.exit(2);
    }
    if (error instanceof CommanderError) {
      // Commander printed it. Help is not an error; every bad or unknown flag is (exit 2).
      process.exit(error.exitCode === 0 ? 0 : 2);
    }
    process.stderr.write(`just-hungry: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
