// A backup that missed N writes: stop it, write N orders, start it again from
// its file, and time how long it takes to be level with the primary (and to
// be a backup in the view again).
import { BENCH_SECRET, BenchCluster, waitFor } from '../cluster.ts';
import { runLoad } from '../load.ts';
import type { Plan } from '../plan.ts';
import { type BenchCustomer, makeCustomers, primaryWriteSucceeded, primaryWrites } from '../workload.ts';
import { CLUSTER_SECRET_HEADER } from '../../replicas/protocol.ts';

const REPLICAS = 3;
/** Concurrent writers while the backup is away. */
const FILL_CONNECTIONS = 64;

export interface CatchUpRow {
  missed: number;
  /** Rate at which the missed writes were made (straight to the primary; not a client-facing figure). */
  fillOpsPerSec: number;
  /** From the restarted replica's first heartbeat until its applied seq equals the primary's. */
  levelMs: number;
  /** From spawning the process until level (includes starting Node). */
  startToLevelMs: number;
  /** From spawning the process until it is a backup in the view again. */
  startToBackupMs: number;
}

/** Rounds of writing the missed writes, each to the primary of the moment; a view change in between only costs a round. */
const FILL_ROUNDS_MAX = 20;

/** Makes `count` writes succeed straight on the primary; those refused (the view changed under load) are made again on the next one. */
async function fillWrites(cluster: BenchCluster, customers: BenchCustomer[], count: number): Promise<{ opsPerSec: number }> {
  const started = performance.now();
  let made = 0;
  for (let round = 1; made < count; round++) {
    if (round > FILL_ROUNDS_MAX) throw new Error(`only ${made} of ${count} writes succeeded in ${FILL_ROUNDS_MAX} rounds`);
    const { view } = await cluster.waitForView(REPLICAS - 1);
    const primary = await cluster.primary();
    const stats = await runLoad({
      url: `${primary.url}/write-batch`,
      headers: { [CLUSTER_SECRET_HEADER]: BENCH_SECRET },
      succeeded: primaryWriteSucceeded,
      connections: Math.min(FILL_CONNECTIONS, count - made),
      amount: count - made,
      next: primaryWrites(customers, view.epoch),
    });
    made += stats.requests - stats.errors;
  }
  return { opsPerSec: count / ((performance.now() - started) / 1000) };
}

export async function measureCatchUp(plan: Plan, say: (line: string) => void): Promise<CatchUpRow[]> {
  say(`catch-up: starting ${REPLICAS} replicas`);
  const cluster = await BenchCluster.start({ replicas: REPLICAS, minReplicas: 2, logLevel: plan.logLevel });
  const rows: CatchUpRow[] = [];
  try {
    const customers = await makeCustomers(cluster.graphqlUrl, plan.customers);
    for (const missed of plan.catchUps) {
      const row = await catchUpOnce(cluster, customers, missed);
      rows.push(row);
      say(`  missed ${missed} writes (made at ${row.fillOpsPerSec.toFixed(0)}/s): level ${row.levelMs.toFixed(0)} ms after its first heartbeat, ${row.startToLevelMs.toFixed(0)} ms after start; backup again after ${row.startToBackupMs.toFixed(0)} ms`);
    }
    await cluster.waitForConvergence(REPLICAS, 120_000);
  } finally {
    await cluster.stop();
  }
  return rows;
}

async function catchUpOnce(cluster: BenchCluster, customers: BenchCustomer[], missed: number): Promise<CatchUpRow> {
  const { view } = await cluster.waitForView(REPLICAS);
  const away = view.backups[0];
  if (!away) throw new Error('no backup to stop');
  await cluster.signal(away, 'SIGKILL');
  await cluster.waitForView(REPLICAS - 1);
  const fill = await fillWrites(cluster, customers, missed);
  const target = (await cluster.replicaPosition((await cluster.primary()).url)).seq;

  const startedAt = performance.now();
  cluster.startReplica(away);
  const url = await waitFor(`${away} to send a heartbeat`, async () => {
    const { cluster: info } = await cluster.status();
    const row = info.replicas.find((r) => r.name === away && r.role !== 'OFFLINE');
    return row?.url;
  }, 60_000, 10);
  const registeredAt = performance.now();
  await waitFor(`${away} to reach seq ${target}`, async () => (await cluster.replicaPosition(url)).seq >= target, 300_000, 10);
  const levelAt = performance.now();
  await cluster.waitForView(REPLICAS, 300_000);
  return {
    missed,
    fillOpsPerSec: fill.opsPerSec,
    levelMs: levelAt - registeredAt,
    startToLevelMs: levelAt - startedAt,
    startToBackupMs: performance.now() - startedAt,
  };
}
