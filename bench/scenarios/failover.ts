// SIGKILL of the primary under write load, again and again: how long until a
// write succeeds again, the slowest client request across the kill, and every
// error a client saw. The killed replica is restarted from its file and
// rejoins before the next kill, so there are always three.
import { BenchCluster, sleep, waitFor } from '../cluster.ts';
import { type Sample, startLoad } from '../load.ts';
import type { Plan } from '../plan.ts';
import { makeCustomers, placeOneOrder, placeOrders } from '../workload.ts';

const REPLICAS = 3;
/** Give up on a probe write after this long (the gateway's own deadline is 15 s). */
const PROBE_DEADLINE_MS = 30_000;
/**
 * If no write succeeds for this long, restart the killed replica while still
 * probing, as an operator would: when the view had already lost its backups
 * (say, to a false suspicion on a busy machine), only the killed primary holds
 * every acknowledged write, and nobody else may be promoted.
 */
const RESTART_AFTER_MS = 10_000;

export interface KillRow {
  killed: string;
  newPrimary: string;
  /** From SIGKILL until a write sent just after it succeeded. */
  recoveryMs: number;
  /** The slowest load request that was in flight at the kill or sent during the recovery. */
  slowestMs: number;
  /** Client-visible errors: load requests and probes that did not succeed. */
  errors: number;
  /** The first of those errors, if any. */
  firstError?: string;
  requests: number;
  /** From restarting the killed replica until it is a backup again. */
  rejoinMs: number;
  /** No write succeeded until the killed replica was restarted (see RESTART_AFTER_MS). */
  neededRestart: boolean;
}

export interface FailoverResult {
  connections: number;
  kills: KillRow[];
  medianRecoveryMs: number;
  maxRecoveryMs: number;
  maxSlowestMs: number;
  errors: number;
}

export async function measureFailover(plan: Plan, say: (line: string) => void): Promise<FailoverResult> {
  say(`failover: starting ${REPLICAS} replicas, ${plan.failover.kills} kills under ${plan.failover.connections}-client write load`);
  // Two replicas keep taking writes while the third restarts.
  const cluster = await BenchCluster.start({ replicas: REPLICAS, minReplicas: 2, logLevel: plan.logLevel });
  const kills: KillRow[] = [];
  try {
    const customers = await makeCustomers(cluster.graphqlUrl, plan.customers);
    const probeToken = customers[0]?.token ?? '';
    for (let i = 0; i < plan.failover.kills; i++) {
      const row = await killOnce(cluster, plan, placeOrders(customers), probeToken);
      kills.push(row);
      const errors = row.firstError ? `${row.errors} error(s) (first: ${row.firstError})` : '0 errors';
      say(`  kill ${i + 1}: primary ${row.killed} -> ${row.newPrimary}; write ok again after ${row.recoveryMs.toFixed(0)} ms; slowest request ${row.slowestMs.toFixed(0)} ms; ${errors}; rejoined in ${row.rejoinMs.toFixed(0)} ms`);
    }
    await cluster.waitForConvergence(REPLICAS);
  } finally {
    await cluster.stop();
  }
  const recoveries = kills.map((k) => k.recoveryMs).sort((a, b) => a - b);
  return {
    connections: plan.failover.connections,
    kills,
    medianRecoveryMs: median(recoveries),
    maxRecoveryMs: recoveries.at(-1) ?? 0,
    maxSlowestMs: Math.max(0, ...kills.map((k) => k.slowestMs)),
    errors: kills.reduce((sum, k) => sum + k.errors, 0),
  };
}

async function killOnce(cluster: BenchCluster, plan: Plan, next: ReturnType<typeof placeOrders>, probeToken: string): Promise<KillRow> {
  const samples: Sample[] = [];
  const load = startLoad({ url: cluster.graphqlUrl, connections: plan.failover.connections, next, onSample: (s) => samples.push(s) });
  let probeErrors = 0;
  let probeError: string | undefined;
  let killedAt = 0;
  let recoveredAt = 0;
  let killed = '';
  let restartedAt: number | null = null;
  try {
    await sleep(plan.failover.beforeKillMs);
    // The view may have shrunk under load (a false suspicion): kill only a full view's primary.
    await cluster.waitForView(REPLICAS);
    killed = (await cluster.primary()).name;
    killedAt = performance.now();
    await cluster.signal(killed, 'SIGKILL');
    // The probe is sent after the primary is gone, so only a new primary can answer it.
    for (;;) {
      try {
        await placeOneOrder(cluster.graphqlUrl, probeToken);
        recoveredAt = performance.now();
        break;
      } catch (error) {
        probeErrors++;
        probeError ??= error instanceof Error ? error.message : String(error);
        if (restartedAt === null && performance.now() - killedAt > RESTART_AFTER_MS) {
          restartedAt = performance.now();
          cluster.startReplica(killed);
        }
        if (performance.now() - killedAt > PROBE_DEADLINE_MS) {
          const status = await cluster.status().catch((e: unknown) => String(e));
          throw new Error(`no write succeeded within ${PROBE_DEADLINE_MS / 1000}s of killing primary ${killed}: ${String(error)}\n` +
            `cluster status: ${JSON.stringify(status)}\n${cluster.dump(40)}`);
        }
      }
    }
    // Every request in flight at the kill must have answered before the load stops.
    await waitFor('the requests in flight at the kill to answer', async () => samples.filter((s) => s.sentAt <= killedAt && s.doneAt >= killedAt).length >= plan.failover.connections, PROBE_DEADLINE_MS);
    await sleep(200);
  } finally {
    load.stop();
  }
  const stats = await load.done;
  const across = samples.filter((s) => s.doneAt >= killedAt && s.sentAt <= recoveredAt);
  const newPrimary = (await cluster.primary()).name;
  const neededRestart = restartedAt !== null;
  if (restartedAt === null) {
    restartedAt = performance.now();
    cluster.startReplica(killed);
  }
  await cluster.waitForView(REPLICAS);
  return {
    killed,
    newPrimary,
    recoveryMs: recoveredAt - killedAt,
    slowestMs: Math.max(0, ...across.map((s) => s.doneAt - s.sentAt)),
    errors: stats.errors + probeErrors,
    ...(stats.firstError || probeError ? { firstError: stats.firstError ?? probeError } : {}),
    requests: stats.requests + probeErrors + 1,
    rejoinMs: performance.now() - restartedAt,
    neededRestart,
  };
}

export function median(sorted: number[]): number {
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
