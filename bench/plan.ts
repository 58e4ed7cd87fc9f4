// How much each benchmark runs in each mode. `quick` checks the harness and
// gives rough figures in under two minutes; `full` is what the README quotes.

export type Mode = 'quick' | 'full';

export interface Plan {
  mode: Mode;
  /** Measured time of one load step, after its warm-up. */
  stepMs: number;
  warmupMs: number;
  replicaCounts: number[];
  concurrencies: number[];
  /** Reads are measured on the cluster of this size. */
  readReplicas: number;
  /** Customers the load is spread over. */
  customers: number;
  failover: { kills: number; connections: number; beforeKillMs: number };
  /** Write load on an oversubscribed machine: no view may change. */
  pressure: { connections: number; seconds: number };
  /** Subscribers on one gateway: the fan-out of each of `orders` orders to `total`, and orders/s with `throughputWith` and none. */
  subscribers: { total: number; orders: number; throughputWith: number; throughputMs: number; throughputConnections: number; rounds: number };
  /** Measured starts of each command (after one unmeasured round). */
  startUpRuns: number;
  /** Writes a stopped backup misses before it is restarted, one run each. */
  catchUps: number[];
  /** Orders stored before the write load of each growth step. */
  growth: number[];
  /** Write concurrency for the replication overhead and growth figures. */
  headlineConnections: number;
  /** The processes' log level (their last lines are shown when a step fails). */
  logLevel: string;
}

export const PLANS: Record<Mode, Plan> = {
  quick: {
    mode: 'quick',
    stepMs: 1500,
    warmupMs: 500,
    replicaCounts: [1, 3],
    concurrencies: [1, 16, 64],
    readReplicas: 3,
    customers: 128,
    failover: { kills: 3, connections: 16, beforeKillMs: 700 },
    pressure: { connections: 64, seconds: 20 },
    subscribers: { total: 2000, orders: 10, throughputWith: 2000, throughputMs: 3000, throughputConnections: 16, rounds: 1 },
    startUpRuns: 3,
    catchUps: [2000],
    growth: [1000, 20_000],
    headlineConnections: 64,
    logLevel: 'warn',
  },
  full: {
    mode: 'full',
    stepMs: 6000,
    warmupMs: 1000,
    replicaCounts: [1, 2, 3, 5],
    concurrencies: [1, 16, 64],
    readReplicas: 3,
    customers: 256,
    failover: { kills: 10, connections: 16, beforeKillMs: 1500 },
    pressure: { connections: 64, seconds: 120 },
    subscribers: { total: 10_000, orders: 30, throughputWith: 2000, throughputMs: 10_000, throughputConnections: 16, rounds: 3 },
    startUpRuns: 10,
    catchUps: [10_000, 100_000],
    growth: [1000, 100_000, 1_000_000],
    headlineConnections: 64,
    logLevel: 'warn',
  },
};
