// A cluster inside the test's own process: the real gateway and replicas,
// started by the very functions the commands call (cli/main.ts runGateway
// and runReplica), with no process to spawn and no code to load per test.
// GraphQL goes through yoga's own `fetch` (no socket, as graphql-yoga's tests
// do), with the real services behind the schema; the view service and the
// replicas still talk over real sockets on 127.0.0.1, and `gatewayUrl` serves
// what a test must send over one (WebSocket, SSE, the HTTP-level caps). It
// starts in well under a second, and one serves a whole file. What only
// processes show (SIGKILL, SIGSTOP, a full disk, a terminal, a browser) stays
// with TestCluster.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { type GatewayFlags, runGateway, runReplica } from '../../cli/main.ts';
import { freePort, waitFor } from '../../cli/wait.ts';
import { ClusterHandle, type GraphQLResponse, SECRET, START_WAIT_MS } from './cluster.ts';

export interface InProcessOptions {
  replicas?: number;
  minReplicas?: number;
  /** pino level of the gateway and replicas (silent unless JH_TEST_LOG says otherwise). */
  logLevel?: string;
  /** Base URL of a postcodes.io stand-in; offline (format check only) when absent. */
  postcodesUrl?: string;
  /** Gateway settings beside the tests' defaults (the flags' names, as `runGateway` takes them). */
  gateway?: Partial<Omit<GatewayFlags, 'host' | 'port' | 'data' | 'logLevel' | 'webDir'>>;
}

export class InProcessCluster extends ClusterHandle {
  protected readonly secret = SECRET;
  private gatewayFetch: ((request: Request) => Promise<Response>) | null = null;

  private constructor(
    readonly gatewayUrl: string,
    readonly dataDir: string,
    private readonly closers: (() => Promise<void>)[],
  ) {
    super();
  }

  /** Starts a gateway and its replicas in this process and waits until the cluster takes orders; torn down if it does not. */
  static async start(options: InProcessOptions = {}): Promise<InProcessCluster> {
    const dataDir = mkdtempSync(join(tmpdir(), 'jh-inproc-'));
    // The secret the process-level helpers use, where the commands look for it (this process's environment is not theirs to set).
    writeFileSync(join(dataDir, 'cluster.secret'), SECRET, { mode: 0o600 });
    const port = await freePort();
    const logLevel = options.logLevel ?? process.env.JH_TEST_LOG ?? 'silent';
    const closers: (() => Promise<void>)[] = [];
    const cluster = new InProcessCluster(`http://127.0.0.1:${port}`, dataDir, closers);
    try {
      const gateway = await runGateway({
        host: '127.0.0.1', port, data: dataDir, minReplicas: options.minReplicas ?? 2, heartbeatMs: 100, suspectMs: 500,
        postcodes: options.postcodesUrl ? 'online' : 'offline', postcodesUrl: options.postcodesUrl ?? 'http://127.0.0.1:9', requestDeadlineMs: 15_000, subscriberBufferMax: 1000,
        mutationRateLimit: 0, queryRateLimit: 0, connectionsPerAddress: 0, subscriptionsPerConnection: 0, everyStockChangePerClient: 0, everyStockChangeTotal: 0, introspection: true, graphiql: true, corsOrigins: [], production: false, webDir: dataDir, logLevel, ...options.gateway,
      });
      cluster.gatewayFetch = gateway.fetch;
      closers.push(() => gateway.close());
      for (let i = 1; i <= (options.replicas ?? 2); i++) {
        const replica = await runReplica(String(i), {
          gateway: cluster.gatewayUrl, port: 0, host: '127.0.0.1', data: dataDir, heartbeatMs: 100, replicationTimeoutMs: 1000,
          batchOpsMax: 256, logEntriesMax: 1_000_000, logLevel,
        });
        closers.push(() => replica.close());
      }
      await waitFor('the in-process cluster to take orders', async () => (await fetch(`${cluster.gatewayUrl}/readyz`)).ok, START_WAIT_MS);
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  gql<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLResponse<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    return this.graphql(JSON.stringify({ query, variables }), headers).then(async (response) => (await response.json()) as GraphQLResponse<T>);
  }

  /** A raw request to /graphql through yoga's `fetch`: a POST of `body`, or a GET with `query` when the body is null. */
  graphql(body: string | null, headers: Record<string, string> = {}, query = ''): Promise<Response> {
    return this.request(body === null ? { method: 'GET', headers } : { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }, query);
  }

  /** Any request to /graphql (an OPTIONS preflight, say) through yoga's `fetch`. */
  request(init: RequestInit, query = ''): Promise<Response> {
    if (!this.gatewayFetch) throw new Error('the in-process gateway is not running');
    return this.gatewayFetch(new Request(`${this.gatewayUrl}/graphql${query}`, init));
  }

  /** Replicas first (they stop heartbeating), then the gateway; then the data. */
  async close(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
