// Write throughput with more and more orders already stored: one seeded file
// grows step by step (see seed.ts), each step is copied to every replica of a
// fresh cluster, and the same write load runs against it. Each step is
// measured right after a run on the smallest state, so that the ratio between
// the two is not skewed by other work on a shared machine.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchCluster } from '../cluster.ts';
import { type LoadStats, runLoad } from '../load.ts';
import type { Plan } from '../plan.ts';
import { Seeder, installSeed } from '../seed.ts';
import { makeCustomers, placeOrders } from '../workload.ts';
import type { Catalog } from '../../replicas/domain/types.ts';
import { describeStats } from './throughput.ts';

const REPLICAS = 3;
/** Customers the seeded orders belong to. */
const SEED_CUSTOMERS = 1000;

export interface GrowthRow {
  storedOrders: number;
  seedSeconds: number;
  fileBytes: number;
  stats: LoadStats;
  /** The smallest state measured just before this one (absent for the smallest itself). */
  baseline?: { storedOrders: number; stats: LoadStats };
}

export async function measureGrowth(plan: Plan, catalog: Catalog, say: (line: string) => void): Promise<GrowthRow[]> {
  const seedDir = mkdtempSync(join(tmpdir(), 'jh-bench-seed-'));
  const rows: GrowthRow[] = [];
  try {
    const seeder = Seeder.create(join(seedDir, 'seed.db'), catalog, SEED_CUSTOMERS);
    const smallest = { file: join(seedDir, 'smallest.db'), storedOrders: 0 };
    for (const [i, storedOrders] of plan.growth.entries()) {
      const seedStarted = performance.now();
      seeder.growTo(storedOrders, catalog);
      const seedSeconds = (performance.now() - seedStarted) / 1000;
      const fileBytes = statSync(seeder.file).size;
      say(`growth: ${storedOrders} orders stored (seeded in ${seedSeconds.toFixed(1)} s, ${(fileBytes / 1e6).toFixed(0)} MB per replica)`);
      let baseline: GrowthRow['baseline'];
      const first = rows[0];
      if (i === 0) {
        seeder.copy(smallest.file);
        smallest.storedOrders = storedOrders;
      } else if (i === 1 && first) {
        // The smallest state was the one measured just before.
        baseline = { storedOrders: first.storedOrders, stats: first.stats };
      } else {
        baseline = { storedOrders: smallest.storedOrders, stats: await measureOn(smallest.file, plan) };
        say(`  ${plan.headlineConnections} clients, ${smallest.storedOrders} stored (measured again just before): ${describeStats(baseline.stats)}`);
      }
      const stats = await measureOn(seeder.file, plan);
      say(`  ${plan.headlineConnections} clients, ${storedOrders} stored: ${describeStats(stats)}`);
      rows.push({ storedOrders, seedSeconds, fileBytes, stats, ...(baseline ? { baseline } : {}) });
    }
  } finally {
    rmSync(seedDir, { recursive: true, force: true });
  }
  return rows;
}

async function measureOn(seedFile: string, plan: Plan): Promise<LoadStats> {
  const dataDir = mkdtempSync(join(tmpdir(), 'jh-bench-growth-'));
  try {
    installSeed(seedFile, dataDir, Array.from({ length: REPLICAS }, (_, i) => String(i + 1)));
    const cluster = await BenchCluster.start({ replicas: REPLICAS, minReplicas: REPLICAS, dataDir, logLevel: plan.logLevel });
    try {
      const customers = await makeCustomers(cluster.graphqlUrl, plan.customers);
      return await runLoad({ url: cluster.graphqlUrl, connections: plan.headlineConnections, durationMs: plan.stepMs, warmupMs: plan.warmupMs, next: placeOrders(customers) });
    } finally {
      await cluster.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
