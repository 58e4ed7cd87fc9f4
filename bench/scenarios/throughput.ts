// Writes (placeOrder) at each concurrency for each cluster size, and reads
// (products, a customer's orders) on one cluster size, each through the
// gateway's GraphQL endpoint like any client.
import { loadavg } from 'node:os';
import { BenchCluster } from '../cluster.ts';
import { type LoadRequest, type LoadStats, runLoad } from '../load.ts';
import type { Plan } from '../plan.ts';
import { type BenchCustomer, makeCustomers, placeOrders, readOrders, readProducts } from '../workload.ts';

export interface WriteRow {
  replicas: number;
  stats: LoadStats;
  /** The view changed during the step (a replica was dropped or added): the row is not a clean measurement. */
  viewChanged: boolean;
  loadAverage: number;
}

export interface ReadRow extends WriteRow {
  query: 'products' | 'orders';
}

export interface ThroughputResult {
  writes: WriteRow[];
  reads: ReadRow[];
}

export async function measureThroughput(plan: Plan, say: (line: string) => void): Promise<ThroughputResult> {
  const result: ThroughputResult = { writes: [], reads: [] };
  for (const replicas of plan.replicaCounts) {
    say(`writes: starting ${replicas} replica(s)`);
    const cluster = await BenchCluster.start({ replicas, minReplicas: replicas, logLevel: plan.logLevel });
    try {
      const customers = await makeCustomers(cluster.graphqlUrl, plan.customers);
      for (const connections of plan.concurrencies) {
        const row = await step(cluster, plan, connections, placeOrders(customers));
        result.writes.push({ replicas, ...row });
        say(`  ${replicas} replica(s), ${connections} client(s): ${describeStats(row.stats)}`);
      }
      if (replicas === plan.readReplicas) await measureReads(cluster, plan, customers, replicas, result.reads, say);
      await cluster.waitForConvergence(replicas);
    } finally {
      await cluster.stop();
    }
  }
  return result;
}

async function measureReads(cluster: BenchCluster, plan: Plan, customers: BenchCustomer[], replicas: number, rows: ReadRow[], say: (line: string) => void) {
  const queries = [
    ['products', readProducts()],
    ['orders', readOrders(customers)],
  ] as const;
  for (const [query, next] of queries) {
    for (const connections of plan.concurrencies) {
      const row = await step(cluster, plan, connections, next);
      rows.push({ query, replicas, ...row });
      say(`  reads of ${query}, ${connections} client(s): ${describeStats(row.stats)}`);
    }
  }
}

async function step(cluster: BenchCluster, plan: Plan, connections: number, next: () => LoadRequest) {
  const before = await cluster.status();
  const stats = await runLoad({ url: cluster.graphqlUrl, connections, durationMs: plan.stepMs, warmupMs: plan.warmupMs, next });
  const after = await cluster.status();
  return { stats, viewChanged: before.view.epoch !== after.view.epoch, loadAverage: loadavg()[0] ?? 0 };
}

export function describeStats(stats: LoadStats): string {
  const errors = stats.errors > 0 ? `, ${stats.errors} errors (first: ${stats.firstError ?? '?'})` : '';
  return `${stats.opsPerSec.toFixed(0)}/s, p50 ${stats.p50Ms.toFixed(1)} ms, p99 ${stats.p99Ms.toFixed(1)} ms, max ${stats.maxMs.toFixed(1)} ms${errors}`;
}
