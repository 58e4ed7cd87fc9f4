// One chaos run, start to finish: start the cluster behind its proxies, add
// the staff, open the subscribers, run the customers, the staff and the fault
// schedule for the duration, heal everything and let the cluster settle, read
// the final state back (GraphQL with every order's timeline, state hashes, the
// committed logs), and check the history.
import { waitFor } from '../cli/wait.ts';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Effect } from '../replicas/domain/effects.ts';
import type { StaffRole } from '../replicas/domain/types.ts';
import { sleep } from '../replicas/sleep.ts';
import { ChaosCluster, GATEWAY, type LogEntryRow } from './cluster.ts';
import { type Violation, checkHistory, compareFeed, eventKey, expectedEvents } from './checker.ts';
import { FaultPlan, FaultRunner } from './faults.ts';
import type { CommittedChange, FinalCustomer, FinalState, History, OrderSeen } from './history.ts';
import { Recorder } from './history.ts';
import type { ChaosOptions } from './options.ts';
import { mayHaveApplied } from './outcomes.ts';
import { Random } from './random.ts';
import { type StaffMember, StaffWorkload } from './staff.ts';
import { Subscribers } from './subscribers.ts';
import { type Summary, summarize } from './summary.ts';
import { type CatalogInfo, ORDERS_WITH_TIMELINES, Workload, graphql } from './workload.ts';

/** How often the harness polls the cluster while it waits. */
const POLL_MS = 100;

/** The gateway gives up on a request after this; until then a request the client abandoned may still be applied. */
const REQUEST_DEADLINE_MS = 8000;
/** The gateway's timeout for one call to a replica: a call sent just before the deadline may land this much later. */
const GATEWAY_CALL_TIMEOUT_MS = 3000;
const START_WAIT_MS = 60_000;
const SETTLE_WAIT_MS = 60_000;
const RECOVERY_WAIT_MS = 30_000;
const ORDER_SUBSCRIBERS_MAX = 8;
const FINAL_PAGE = 25;
const STAFF_ADD_ATTEMPTS_MAX = 5;
/** The roles of the staff added, in turn: one of each comes first, the kitchen first of all (it has the most moves to make). */
const STAFF_IN_TURN: readonly StaffRole[] = ['KITCHEN', 'COURIER', 'OPERATOR'];
/** The writes whose outcome a client may not know: the harness waits out the gateway's deadline for each before the final read. */
const WRITES = new Set(['placeOrder', 'reuseKey', 'cancelOrder', 'moveOrder', 'updateDetails', 'createCustomer']);

export interface ChaosResult {
  history: History;
  violations: Violation[];
  summary: Summary;
  /** Where the history, summary and violations were written, if anywhere. */
  resultFile: string | null;
}

export interface HarnessIo {
  /** Progress lines (the CLI prints them; tests may drop them). */
  progress(line: string): void;
}

export async function runChaos(options: ChaosOptions, io: HarnessIo = { progress: () => undefined }): Promise<ChaosResult> {
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const logDir = join(outDir, `${options.seed}-logs`);
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'jh-chaos-'));
  const catalog = makeCatalog(options.seed);
  const catalogFile = join(dataDir, 'catalog.json');
  writeFileSync(catalogFile, JSON.stringify({
    products: catalog.products.map(({ id, name, priceMinor, stock }) => ({ id, name, description: `chaos dish ${id}`, priceMinor, stock })),
    deliveryOptions: catalog.deliveryOptions.map(({ id, costMinor, fulfilment }) => ({ id, name: id, description: `delivery ${id}`, costMinor, fulfilment })),
  }));

  const recorder = new Recorder();
  const startedAt = new Date().toISOString();
  let gatewayDown = false;
  let settling = false;
  let cluster: ChaosCluster | null = null;
  cluster = await ChaosCluster.start({
    replicas: options.replicas,
    dataDir,
    logDir,
    secret: randomBytes(24).toString('hex'),
    catalogFile,
    requestDeadlineMs: REQUEST_DEADLINE_MS,
    onUnexpectedExit: (name, how) => {
      recorder.crashes.push({ at: recorder.now(), process: name, how, lastLines: cluster?.recentLogs(40)[name] ?? [] });
      io.progress(`!! ${name} exited on its own (${how})`);
      if (name === GATEWAY) gatewayDown = true;
      // A crashed replica is started again, so the run goes on (the crash is still reported).
      else setTimeout(() => cluster?.start(name), settling ? 0 : 500);
    },
  });
  const running = cluster;
  const subscribers = new Subscribers(
    {
      gatewayUrl: running.gatewayUrl,
      metric: (name) => running.gatewayMetric(name),
      openSubscriptions: async (feed) => {
        const response = await fetch(`${running.gatewayUrl}/metrics`, { signal: AbortSignal.timeout(2000) });
        const match = new RegExp(`^jh_subscriptions_open\\{feed="${feed}"\\} (\\d+)$`, 'm').exec(await response.text());
        return Number(match?.[1] ?? 0);
      },
    },
    recorder,
  );
  const workload = new Workload({ gatewayUrl: running.gatewayUrl, seed: options.seed, clients: options.clients, requestTimeoutMs: options.requestTimeoutMs, catalog, recorder });
  let staff: StaffWorkload | null = null;
  const faults = new FaultRunner({ cluster: running, recorder, plan: new FaultPlan(options.seed, options.faults), replicas: options.replicas, recoveryWaitMs: RECOVERY_WAIT_MS });
  let final: FinalState | null = null;
  const problems: string[] = [];
  let failovers = 0;
  let stopPolling = () => undefined as void;

  try {
    io.progress(`seed ${options.seed}: starting a gateway and ${options.replicas} replicas (data in ${dataDir})`);
    await waitWhole(running, options.replicas, START_WAIT_MS);
    await waitFor('the catalogue', async () => {
      const answer = await graphql(running.gatewayUrl, '{ products { id } }', {}, null, 2000);
      return answer.kind === 'data' && Array.isArray(answer.data.products) && answer.data.products.length === catalog.products.length;
    }, START_WAIT_MS, POLL_MS);
    stopPolling = pollViews(running, recorder);
    const members = await addStaff(running, options.staff);
    staff = new StaffWorkload({
      gatewayUrl: running.gatewayUrl,
      seed: options.seed,
      requestTimeoutMs: options.requestTimeoutMs,
      recorder,
      members,
      firstClient: options.clients,
      placed: () => workload.placed,
    });
    await subscribers.open('stockChanged', null, null);
    // Every order's every change, as the kitchen's screen follows them (the first member of staff is the kitchen).
    const kitchen = members[0];
    if (kitchen) await subscribers.open('staffOrderChanged', kitchen.token, null);
    const sessions = await workload.createCustomers();
    for (const session of sessions.slice(0, ORDER_SUBSCRIBERS_MAX)) await subscribers.open('orderStatusChanged', session.token, session.customerId);

    io.progress(`running ${options.clients} clients and ${members.length} staff for ${Math.round(options.durationMs / 1000)} s with faults: ${options.faults.join(',') || 'none'}`);
    workload.start(sessions);
    staff.start();
    faults.start();
    const deadline = Date.now() + options.durationMs;
    let nextReport = Date.now() + 10_000;
    while (Date.now() < deadline && !gatewayDown) {
      await sleep(Math.min(250, deadline - Date.now()));
      if (Date.now() >= nextReport) {
        nextReport += 10_000;
        io.progress(`  ${Math.round((options.durationMs - (deadline - Date.now())) / 1000)} s: ${recorder.ops.length} ops, ${recorder.faults.length} faults`);
      }
    }

    io.progress('healing every fault and letting the cluster settle');
    settling = true;
    await faults.stop();
    heal(running);
    await Promise.all([workload.stop(), staff.stop()]);
    if (gatewayDown) {
      problems.push('the gateway exited during the run');
    } else {
      try {
        failovers = await running.gatewayMetric('jh_failovers_total');
        final = await settle(running, options, recorder, workload, subscribers);
      } catch (error) {
        problems.push(`settling failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    stopPolling();
    await faults.stop().catch(() => undefined);
    // Stopped here too when the run failed before its end, so no loop outlives the cluster.
    await Promise.all([workload.stop(), staff?.stop()]).catch(() => undefined);
    await subscribers.close().catch(() => undefined);
    await running.close();
    if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
  }

  const history: History = {
    seed: options.seed,
    startedAt,
    options: { ...options, requestDeadlineMs: REQUEST_DEADLINE_MS },
    catalog: {
      products: catalog.products.map(({ id, priceMinor, stock }) => ({ id, priceMinor, stock })),
      deliveryOptions: catalog.deliveryOptions,
    },
    ops: recorder.ops,
    faults: recorder.faults,
    views: recorder.views,
    subscribers: subscribers.records,
    crashes: recorder.crashes,
    final,
    problems,
  };
  const violations = checkHistory(history);
  const summary = summarize(history, violations, { failovers, slowRecoveries: faults.slowRecoveries, durationMs: recorder.now() });
  const resultFile = join(outDir, `${options.seed}.json`);
  writeFileSync(resultFile, JSON.stringify({ summary, violations, history }, null, 1));
  return { history, violations, summary, resultFile };
}

/** Every link passes, no process is stopped, every replica runs. */
function heal(cluster: ChaosCluster): void {
  cluster.network.healAll();
  for (const name of [GATEWAY, ...cluster.replicaNames]) {
    if (cluster.state(name) === 'paused') cluster.resume(name);
    if (cluster.state(name) === 'stopped' && name !== GATEWAY) cluster.start(name);
  }
}

async function settle(cluster: ChaosCluster, options: ChaosOptions, recorder: Recorder, workload: Workload, subscribers: Subscribers): Promise<FinalState> {
  let settleProblem: string | null = null;
  try {
    await waitWhole(cluster, options.replicas, SETTLE_WAIT_MS);
  } catch (error) {
    settleProblem = `no writable view of all ${options.replicas} replicas ${SETTLE_WAIT_MS / 1000} s after healing: ${String(error)}`;
  }
  // A write a client gave up on may still be applied until the gateway's deadline for it passes.
  const undecided = recorder.ops.filter((op) => WRITES.has(op.type) && op.outcome !== 'ok' && mayHaveApplied(op));
  const lastUndecided = Math.max(0, ...undecided.map((op) => op.start));
  await sleep(Math.max(0, lastUndecided + REQUEST_DEADLINE_MS + GATEWAY_CALL_TIMEOUT_MS + 500 - recorder.now()));

  for (let attempt = 1; ; attempt++) {
    let replicas: FinalState['replicas'] = [];
    try {
      replicas = await waitConverged(cluster, options.replicas, settleProblem ? 5000 : SETTLE_WAIT_MS);
    } catch (error) {
      settleProblem ??= String(error);
      replicas = await hashes(cluster);
    }
    const customers = await readCustomers(cluster, workload);
    const products = await readProducts(cluster);
    const merged = mergeLogs(new Map(cluster.replicaNames.map((name) => [name, safeReadLog(cluster, name)])));
    await waitSubscribers(cluster, subscribers, merged.log);
    const after = await hashes(cluster);
    const moved = after.some((r) => r.seq !== replicas[0]?.seq);
    if (!moved || attempt >= 3) return { customers, products, replicas, log: merged.log, logConflicts: merged.conflicts, settleProblem };
  }
}

async function readCustomers(cluster: ChaosCluster, workload: Workload): Promise<FinalCustomer[]> {
  const customers: FinalCustomer[] = [];
  for (const { customerId, token, client } of workload.customers) {
    const orders: OrderSeen[] = [];
    let after: string | null = null;
    let pages = 0;
    let totalCount = 0;
    let details: FinalCustomer['details'] = null;
    for (;;) {
      const answer = await retry(() => graphql(cluster.gatewayUrl, ORDERS_WITH_TIMELINES, { first: FINAL_PAGE, after }, token, 10_000));
      const page = answer.kind === 'data' ? workload.ordersPage(answer.data) : null;
      if (!page) throw new Error(`could not read the orders of customer ${customerId}: ${JSON.stringify(answer)}`);
      pages++;
      orders.push(...page.orders);
      totalCount = page.totalCount;
      details = page.details;
      if (!page.hasNextPage || !page.endCursor) break;
      after = page.endCursor;
    }
    customers.push({ customerId, client, details, orders, totalCount, pages });
  }
  return customers;
}

async function readProducts(cluster: ChaosCluster): Promise<{ id: string; stock: number }[]> {
  const answer = await retry(() => graphql(cluster.gatewayUrl, '{ products { id stock } }', {}, null, 10_000));
  if (answer.kind !== 'data') throw new Error(`could not read the products: ${answer.message}`);
  return answer.data.products as { id: string; stock: number }[];
}

async function retry(call: () => ReturnType<typeof graphql>): ReturnType<typeof graphql> {
  let answer = await call();
  for (let attempt = 1; answer.kind === 'unknown' && attempt < 5; attempt++) {
    await sleep(500 * attempt);
    answer = await call();
  }
  return answer;
}

async function hashes(cluster: ChaosCluster): Promise<FinalState['replicas']> {
  const found: FinalState['replicas'] = [];
  for (const name of cluster.replicaNames) {
    try {
      found.push({ name, ...(await cluster.stateHash(name)) });
    } catch {
      // not answering: it is missing from the list, which the checker reports
    }
  }
  return found;
}

async function waitConverged(cluster: ChaosCluster, size: number, timeoutMs: number): Promise<FinalState['replicas']> {
  let last: FinalState['replicas'] = [];
  try {
    return await waitFor(`${size} replicas to hold the same state`, async () => {
      last = await hashes(cluster);
      const first = last[0];
      return last.length === size && first && last.every((r) => r.seq === first.seq && r.stateHash === first.stateHash) ? last : null;
    }, timeoutMs, POLL_MS);
  } catch {
    throw new Error(`replicas did not converge within ${timeoutMs / 1000} s: ${last.map((r) => `${r.name} seq ${r.seq} ${r.stateHash.slice(0, 12)}`).join('; ')}`);
  }
}

async function waitWhole(cluster: ChaosCluster, size: number, timeoutMs: number): Promise<void> {
  await waitFor(`a writable view of ${size} replicas`, async () => {
    const { view, cluster: info } = await cluster.status();
    return info.writable && view.primary !== null && view.backups.length + 1 === size;
  }, timeoutMs, POLL_MS);
}

/** Waits until the gateway has handed on the whole log and every subscriber shows what it should (bounded: the checker judges). */
async function waitSubscribers(cluster: ChaosCluster, subscribers: Subscribers, log: FinalState['log']): Promise<void> {
  if (!log) return;
  try {
    await waitFor('the gateway to follow the log to its head', async () => (await cluster.gatewayMetric('jh_change_feed_seq')) >= log.headSeq, 15_000, POLL_MS);
    await waitFor('every subscriber to see the last committed change', () =>
      subscribers.records.every((s) => s.endedEarly || compareFeed(expectedEvents(log.changes, s), s.events.map(eventKey), s.fromSeq) === null),
      10_000,
      POLL_MS,
    );
  } catch {
    // The checker reports exactly what each subscriber lacks.
  }
}

function safeReadLog(cluster: ChaosCluster, name: string): LogEntryRow[] {
  try {
    return cluster.readLog(name);
  } catch {
    return [];
  }
}

/** One log from every replica's: entries must agree where they overlap; the merged log runs without gaps up to the head. */
export function mergeLogs(logs: Map<string, LogEntryRow[]>): { log: FinalState['log']; conflicts: FinalState['logConflicts'] } {
  const bySeq = new Map<number, { entry: LogEntryRow; hashes: Record<string, string> }>();
  for (const [name, entries] of logs) {
    for (const entry of entries) {
      const known = bySeq.get(entry.seq);
      if (known) known.hashes[name] = entry.hash;
      else bySeq.set(entry.seq, { entry, hashes: { [name]: entry.hash } });
    }
  }
  const conflicts = [...bySeq.entries()]
    .filter(([, { hashes }]) => new Set(Object.values(hashes)).size > 1)
    .map(([seq, { hashes }]) => ({ seq, hashes }));
  if (bySeq.size === 0) return { log: null, conflicts };
  const headSeq = Math.max(...bySeq.keys());
  let fromSeq = headSeq;
  while (bySeq.has(fromSeq - 1)) fromSeq--;
  const changes: CommittedChange[] = [];
  for (let seq = fromSeq; seq <= headSeq; seq++) {
    const entry = bySeq.get(seq)?.entry;
    if (!entry) continue;
    const effect = Effect.parse(JSON.parse(entry.effect));
    // Every change of an order: its placement, and each move (a cancellation is one) with the status it reached.
    if (effect.type !== 'orderPlaced' && effect.type !== 'orderCancelled' && effect.type !== 'orderMoved') continue;
    const { order } = effect;
    changes.push({
      seq,
      type: effect.type,
      orderId: order.id,
      customerId: order.customerId,
      status: order.status,
      tipMinor: order.tipMinor,
      lines: order.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
      stock: effect.stock,
    });
  }
  return { log: { fromSeq, headSeq, changes }, conflicts };
}

/** Adds the run's staff before any fault: the kitchen, a courier and an operator in turn. */
async function addStaff(cluster: ChaosCluster, count: number): Promise<StaffMember[]> {
  const members: StaffMember[] = [];
  for (let i = 0; i < count; i++) {
    const role = STAFF_IN_TURN[i % STAFF_IN_TURN.length] ?? 'KITCHEN';
    const name = `chaos-${role.toLowerCase()}-${i + 1}`;
    for (let attempt = 1; ; attempt++) {
      try {
        const { staff, token } = await cluster.addStaff(name, role);
        members.push({ id: staff.id, name, role, token });
        break;
      } catch (error) {
        if (attempt >= STAFF_ADD_ATTEMPTS_MAX) throw new Error(`could not add ${name}: ${error instanceof Error ? error.message : String(error)}`);
        await sleep(500 * attempt);
      }
    }
  }
  return members;
}

/** Records each view the gateway shows, until stopped. */
function pollViews(cluster: ChaosCluster, recorder: Recorder): () => void {
  let stopped = false;
  void (async () => {
    while (!stopped) {
      try {
        const { view, cluster: info } = await cluster.status();
        recorder.view({ epoch: view.epoch, primary: view.primary, backups: view.backups, writable: info.writable });
      } catch {
        // the gateway is busy: the next poll will tell
      }
      await sleep(200);
    }
  })();
  return () => {
    stopped = true;
  };
}

/** A seeded catalogue: a few scarce dishes that checkouts race for, and plenty of the rest. */
export function makeCatalog(seed: number): CatalogInfo {
  const random = Random.derive(seed, 'catalog');
  const dishes = ['dumplings', 'laksa', 'pho', 'burrito', 'katsu', 'falafel', 'paella', 'tagine'];
  const products = dishes.map((id, i) => ({
    id,
    name: `Chaos ${id}`,
    priceMinor: random.int(300, 1500),
    // The rest never run out, even in long runs: out-of-stock answers come from the races.
    stock: i < 3 ? random.int(8, 15) : random.int(50_000, 100_000),
  }));
  return {
    products,
    deliveryOptions: [
      { id: 'standard', costMinor: 299, fulfilment: 'DELIVERY' },
      { id: 'express', costMinor: 599, fulfilment: 'DELIVERY' },
      { id: 'collection', costMinor: 0, fulfilment: 'COLLECTION' },
    ],
    scarce: products.slice(0, 3).map((p) => p.id),
  };
}
