// A cluster inside the test's own process: the real gateway and replicas,
// started by the very functions the commands call (cli/main.ts runGateway
// and runReplica), over real sockets on 127.0.0.1, with no process to spawn
// and no code to load per test. For the GraphQL layer and the domain rules,
// whose tests need the whole write path but nothing a process shows: it
// starts in well under a second, and one serves a whole file. What only
// processes show (SIGKILL, SIGSTOP, a full disk, a terminal, a browser) stays
// with TestCluster.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGateway, runReplica } from '../../cli/main.ts';
import { freePort, waitFor } from '../../cli/wait.ts';
import { type GraphQLClient, type GraphQLResponse, START_WAIT_MS, postGraphQL } from './cluster.ts';

export interface InProcessOptions {
  replicas?: number;
  minReplicas?: number;
  /** pino level of the gateway and replicas (silent unless JH_TEST_LOG says otherwise). */
  logLevel?: string;
  /** Base URL of a postcodes.io stand-in; offline (format check only) when absent. */
  postcodesUrl?: string;
}

export class InProcessCluster implements GraphQLClient {
  private constructor(
    readonly gatewayUrl: string,
    private readonly dataDir: string,
    private readonly closers: (() => Promise<void>)[],
  ) {}

  /** Starts a gateway and its replicas in this process and waits until the cluster takes orders; torn down if it does not. */
  static async start(options: InProcessOptions = {}): Promise<InProcessCluster> {
    const dataDir = mkdtempSync(join(tmpdir(), 'jh-inproc-'));
    const port = await freePort();
    const logLevel = options.logLevel ?? process.env.JH_TEST_LOG ?? 'silent';
    const closers: (() => Promise<void>)[] = [];
    const cluster = new InProcessCluster(`http://127.0.0.1:${port}`, dataDir, closers);
    try {
      const gateway = await runGateway({
        host: '127.0.0.1', port, data: dataDir, minReplicas: options.minReplicas ?? 2, heartbeatMs: 100, suspectMs: 500,
        postcodes: options.postcodesUrl ? 'online' : 'offline', postcodesUrl: options.postcodesUrl ?? 'http://127.0.0.1:9', requestDeadlineMs: 15_000, subscriberBufferMax: 1000,
        mutationRateLimit: 0, introspection: true, webDir: dataDir, logLevel,
      });
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
    return postGraphQL<T>(this.gatewayUrl, query, variables, token);
  }

  /** Replicas first (they stop heartbeating), then the gateway; then the data. */
  async close(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
