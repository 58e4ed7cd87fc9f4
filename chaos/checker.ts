// Judges a chaos run's history against the promises of DESIGN.md: no
// acknowledged order, cancellation or move is lost, no idempotency key makes
// two orders, no order, cancellation or move appears that nobody asked for,
// every order's timeline is a legal path of the lifecycle (lifecycle.ts)
// taken once per step, stock never goes below zero and `initial = stock +
// ordered in orders that hold stock`, replicas end identical, reads never go
// back in time or show what was never committed, a refusal of a move is
// right, and every subscriber sees each committed change once, in order.
//
// Outcomes are judged the way a client must (outcomes.ts): an `ok` happened; a
// `fail` with a definite code did not; an `unknown` (timeout, dropped
// connection) or a SERVICE_UNAVAILABLE may or may not have happened.
import { isActive } from '../replicas/domain/lifecycle.ts';
import type { CommittedChange, FinalCustomer, History, Line, Op, OrderSeen, SubscriberEvent, SubscriberRecord } from './history.ts';
import { checkLifecycle, lifecycleStatus, pathOf } from './lifecycle-checks.ts';
import { mayHaveApplied } from './outcomes.ts';

export const CHECKS = [
  'lost-order',
  'lost-cancel',
  'duplicate-order',
  'unrequested-order',
  'unrequested-cancel',
  'lost-move',
  'duplicate-move',
  'unrequested-move',
  'illegal-transition',
  'move-order',
  'wrong-refusal',
  'order-content',
  'idempotency',
  'stock-negative',
  'stock-conservation',
  'divergence',
  'not-converged',
  'log-mismatch',
  'stale-read',
  'dirty-read',
  'lost-update',
  'bad-quote',
  'subscriber',
  'process-crash',
  'incomplete',
] as const;
export type CheckName = (typeof CHECKS)[number];

export interface Violation {
  check: CheckName;
  message: string;
  /** The operations that show it. */
  opIds: number[];
  customerId?: string;
  orderId?: string;
  productId?: string;
  subscriberId?: number;
}

export function checkHistory(history: History): Violation[] {
  const violations: Violation[] = [];
  const report = (violation: Violation) => violations.push(violation);
  for (const crash of history.crashes) {
    report({ check: 'process-crash', message: `${crash.process} exited on its own (${crash.how}) at ${crash.at} ms`, opIds: [] });
  }
  checkReadsOfStock(history, report);
  checkQuotes(history, report);
  const final = history.final;
  if (!final) {
    report({ check: 'incomplete', message: `the run ended before the final state was read: ${history.problems.join('; ') || 'no reason recorded'}`, opIds: [] });
    return violations;
  }
  if (final.settleProblem) report({ check: 'not-converged', message: final.settleProblem, opIds: [] });
  checkReplicas(history, report);
  for (const customer of final.customers) {
    const ops = history.ops.filter((op) => op.customerId === customer.customerId);
    checkOrders(customer, ops, report);
    checkKeyReuse(ops, report, customer.customerId);
    checkCancels(customer, ops, report);
    checkReads(customer, ops, report);
    checkDetails(customer, ops, report);
  }
  checkLifecycle(history, report);
  checkStock(history, report);
  checkLog(history, report);
  for (const subscriber of history.subscribers) checkSubscriber(history, subscriber, report);
  return violations;
}

type Report = (violation: Violation) => void;

// ---- orders: lost, doubled, unrequested, altered --------------------------------------

function checkOrders(customer: FinalCustomer, ops: Op[], report: Report): void {
  const { customerId } = customer;
  const places = ops.filter((op): op is Extract<Op, { type: 'placeOrder' }> => op.type === 'placeOrder');
  const byKey = groupBy(places, (op) => op.key);
  const keyOfTip = new Map<number, string>();
  for (const [key, attempts] of byKey) {
    for (const attempt of attempts) {
      const other = keyOfTip.get(attempt.tipMinor);
      if (other !== undefined && other !== key) {
        report({ check: 'incomplete', message: `the workload used tip ${attempt.tipMinor} for keys ${other} and ${key}: orders cannot be told apart`, opIds: [attempt.id], customerId });
      }
      keyOfTip.set(attempt.tipMinor, key);
    }
  }
  const ordersByTip = groupBy(customer.orders, (order) => order.tipMinor);
  const ids = groupBy(customer.orders, (order) => order.id);
  for (const [id, copies] of ids) {
    if (copies.length > 1) report({ check: 'duplicate-order', message: `order ${id} is listed ${copies.length} times in the final history`, opIds: [], customerId, orderId: id });
  }

  for (const [tip, orders] of ordersByTip) {
    const key = keyOfTip.get(tip);
    const attempts = key === undefined ? [] : byKey.get(key) ?? [];
    const opIds = attempts.map((op) => op.id);
    if (key === undefined || !attempts.some(mayHaveApplied)) {
      const why = key === undefined ? 'no client sent a checkout with its tip' : `every attempt with key ${key} failed definitely`;
      for (const order of orders) report({ check: 'unrequested-order', message: `order ${order.id} exists but ${why}`, opIds, customerId, orderId: order.id });
      continue;
    }
    if (orders.length > 1) {
      report({ check: 'duplicate-order', message: `idempotency key ${key} produced ${orders.length} orders: ${orders.map((o) => o.id).join(', ')}`, opIds, customerId, orderId: orders[0]?.id });
    }
    const asked = attempts[0];
    for (const order of orders) {
      if (asked && !sameContent(order, asked)) {
        report({ check: 'order-content', message: `order ${order.id} (key ${key}) holds ${describeOrder(order)}; the client asked for ${describeOrder({ ...asked, tipMinor: asked.tipMinor })}`, opIds, customerId, orderId: order.id });
      }
    }
  }

  for (const [key, attempts] of byKey) {
    const acked = attempts.filter((op) => op.outcome === 'ok' && op.result);
    const ackedIds = [...new Set(acked.map((op) => op.result?.id ?? ''))];
    const opIds = attempts.map((op) => op.id);
    if (ackedIds.length > 1) {
      report({ check: 'idempotency', message: `key ${key} was answered with different orders: ${ackedIds.join(', ')}`, opIds, customerId });
    }
    const tip = attempts[0]?.tipMinor ?? -1;
    for (const op of acked) {
      if (op.result && op.result.tipMinor !== tip) {
        report({ check: 'idempotency', message: `key ${key} (tip ${tip}) was answered with order ${op.result.id} of tip ${op.result.tipMinor}`, opIds: [op.id], customerId, orderId: op.result.id });
      }
    }
    const ackedId = ackedIds[0];
    if (ackedId === undefined) continue;
    const found = customer.orders.find((order) => order.id === ackedId);
    if (!found) {
      report({ check: 'lost-order', message: `order ${ackedId} (key ${key}) was acknowledged but is not in the final history`, opIds, customerId, orderId: ackedId });
    } else if (found.tipMinor !== tip) {
      report({ check: 'idempotency', message: `order ${ackedId} was acknowledged for key ${key} but holds another checkout (tip ${found.tipMinor})`, opIds, customerId, orderId: ackedId });
    }
  }
}

// ---- a key reused for another cart: refused, and nothing placed (an order with its tip is an unrequested one) ----

function checkKeyReuse(ops: Op[], report: Report, customerId: string): void {
  for (const op of ops) {
    if (op.type !== 'reuseKey') continue;
    if (op.outcome === 'ok') {
      report({ check: 'idempotency', message: `key ${op.key} reused for another cart was answered with order ${op.result?.id ?? '?'} instead of being refused`, opIds: [op.id], customerId, orderId: op.result?.id });
    } else if (op.outcome === 'fail' && op.code !== 'IDEMPOTENCY_KEY_REUSED' && !mayHaveApplied(op)) {
      report({ check: 'idempotency', message: `key ${op.key} reused for another cart was refused with ${op.code ?? 'no code'}, not IDEMPOTENCY_KEY_REUSED`, opIds: [op.id], customerId });
    }
  }
}

// ---- cancellations -------------------------------------------------------------------

/**
 * An acknowledged cancellation ends CANCELLED (CANCELLED is final); an order
 * ends CANCELLED only if a cancellation of it may have been applied. A cancel
 * refused as ORDER_NOT_CANCELLABLE lost the race to the kitchen (or the order
 * was rejected): a definite failure, which the lifecycle checks hold against
 * the order's path (wrong-refusal).
 */
function checkCancels(customer: FinalCustomer, ops: Op[], report: Report): void {
  const { customerId } = customer;
  const cancels = groupBy(
    ops.filter((op): op is Extract<Op, { type: 'cancelOrder' }> => op.type === 'cancelOrder'),
    (op) => op.orderId,
  );
  for (const [orderId, attempts] of cancels) {
    const opIds = attempts.map((op) => op.id);
    const order = customer.orders.find((o) => o.id === orderId);
    const confirmed = attempts.filter((op) => op.outcome === 'ok');
    if (confirmed.length === 0) continue;
    if (!order) {
      report({ check: 'lost-cancel', message: `order ${orderId} was confirmed cancelled but is not in the final history`, opIds, customerId, orderId });
    } else if (lifecycleStatus(order.status) !== 'CANCELLED') {
      report({ check: 'lost-cancel', message: `order ${orderId} was confirmed cancelled (op ${confirmed[0]?.id}) but ends ${order.status}`, opIds, customerId, orderId });
    }
  }
  for (const order of customer.orders) {
    if (lifecycleStatus(order.status) !== 'CANCELLED') continue;
    const attempts = cancels.get(order.id) ?? [];
    if (!attempts.some(mayHaveApplied)) {
      report({ check: 'unrequested-cancel', message: `order ${order.id} ends CANCELLED but no cancellation of it can have been applied`, opIds: attempts.map((op) => op.id), customerId, orderId: order.id });
    }
  }
}

// ---- reads: never missing what is known, never what was not committed ------------------------------
// (Whether the statuses they show fit each order's path in real time is the lifecycle checks' to judge.)

function checkReads(customer: FinalCustomer, ops: Op[], report: Report): void {
  const { customerId } = customer;
  const finalById = new Map(customer.orders.map((order) => [order.id, order]));
  /** Orders the client knew exist, and since when (the end of the op that showed it). */
  const known = new Map<string, { since: number; opId: number }>();
  const learn = (id: string, since: number, opId: number) => {
    if (!known.has(id)) known.set(id, { since, opId });
  };
  const seen = (order: OrderSeen, op: Op) => {
    const final = finalById.get(order.id);
    if (!final) {
      report({ check: 'dirty-read', message: `op ${op.id} (${op.type}) showed order ${order.id}, which is not in the final history`, opIds: [op.id], customerId, orderId: order.id });
    } else if (!sameContent(final, order)) {
      report({ check: 'order-content', message: `op ${op.id} showed order ${order.id} as ${describeOrder(order)}, but it ends as ${describeOrder(final)}`, opIds: [op.id], customerId, orderId: order.id });
    }
  };

  for (const op of [...ops].sort((a, b) => a.start - b.start)) {
    if (op.outcome === 'ok' && op.type === 'placeOrder' && op.result) {
      seen(op.result, op);
      learn(op.result.id, op.end, op.id);
    } else if (op.type === 'cancelOrder' && op.outcome === 'ok') {
      learn(op.orderId, op.end, op.id);
    } else if (op.type === 'readOrders' && op.outcome === 'ok' && op.result) {
      const page = new Map(op.result.orders.map((order) => [order.id, order]));
      const lowest = Math.min(...op.result.orders.map((order) => Number(order.id)));
      for (const [id, fact] of known) {
        if (fact.since >= op.start) continue;
        const onPage = !op.result.hasNextPage || Number(id) >= lowest;
        if (onPage && !page.has(id)) {
          report({ check: 'stale-read', message: `read op ${op.id} (from ${op.start} ms) lacks order ${id}, known since op ${fact.opId} ended at ${fact.since} ms`, opIds: [fact.opId, op.id], customerId, orderId: id });
        }
      }
      for (const order of op.result.orders) {
        seen(order, op);
        learn(order.id, op.end, op.id);
      }
    }
  }
}

// ---- contact details ----------------------------------------------------------------------

function checkDetails(customer: FinalCustomer, ops: Op[], report: Report): void {
  if (!customer.details) return;
  const saves = ops.filter((op): op is Extract<Op, { type: 'createCustomer' | 'updateDetails' }> => op.type === 'createCustomer' || op.type === 'updateDetails');
  const acked = saves.filter((op) => op.outcome === 'ok').sort((a, b) => a.end - b.end);
  const last = acked.at(-1);
  if (!last) return;
  // Later than the last acknowledged save, only saves that may still have been applied could show.
  const possible = [last, ...saves.filter((op) => op.outcome !== 'ok' && mayHaveApplied(op))];
  const final = customer.details;
  if (!possible.some((op) => sameDetails(op.details, final))) {
    report({
      check: 'lost-update',
      message: `customer ${customer.customerId} ends with ${JSON.stringify(final)}, not the last acknowledged save (op ${last.id}: ${JSON.stringify(last.details)}) nor an unanswered one`,
      opIds: saves.map((op) => op.id),
      customerId: customer.customerId,
    });
  }
}

// ---- stock ----------------------------------------------------------------------------------

function checkReadsOfStock(history: History, report: Report): void {
  for (const op of history.ops) {
    if (op.type !== 'readProducts') continue;
    for (const level of op.result?.products ?? []) {
      if (level.stock < 0) report({ check: 'stock-negative', message: `op ${op.id} saw ${level.id} at stock ${level.stock}`, opIds: [op.id], productId: level.id });
    }
  }
  for (const subscriber of history.subscribers) {
    for (const event of subscriber.events) {
      if ('stock' in event && event.stock < 0) {
        report({ check: 'stock-negative', message: `subscriber ${subscriber.id} saw ${event.productId} at stock ${event.stock}`, opIds: [], productId: event.productId, subscriberId: subscriber.id });
      }
    }
  }
}

function checkStock(history: History, report: Report): void {
  const final = history.final;
  if (!final) return;
  const stock = new Map(final.products.map((p) => [p.id, p.stock]));
  // Ordered in orders that still hold their stock: every order but those whose last move gave it back (STOCK_RETURNED).
  const active = new Map<string, number>();
  for (const customer of final.customers) {
    for (const order of customer.orders) {
      if (!isActive(lifecycleStatus(order.status))) continue;
      for (const line of order.lines) active.set(line.productId, (active.get(line.productId) ?? 0) + line.quantity);
    }
  }
  for (const product of history.catalog.products) {
    const now = stock.get(product.id);
    if (now === undefined) {
      report({ check: 'stock-conservation', message: `product ${product.id} is missing at the end`, opIds: [], productId: product.id });
      continue;
    }
    if (now < 0) report({ check: 'stock-negative', message: `${product.id} ends at stock ${now}`, opIds: [], productId: product.id });
    const ordered = active.get(product.id) ?? 0;
    if (product.stock !== now + ordered) {
      report({
        check: 'stock-conservation',
        message: `${product.id}: initial ${product.stock} != stock ${now} + active ordered ${ordered} (off by ${product.stock - now - ordered})`,
        opIds: [],
        productId: product.id,
      });
    }
  }
}

// ---- replicas and the committed log ------------------------------------------------------------

function checkReplicas(history: History, report: Report): void {
  const final = history.final;
  if (!final) return;
  const expected = typeof history.options.replicas === 'number' ? history.options.replicas : final.replicas.length;
  if (final.replicas.length !== expected) {
    report({ check: 'not-converged', message: `${final.replicas.length} of ${expected} replicas answered at the end`, opIds: [] });
  }
  const first = final.replicas[0];
  const differ = final.replicas.filter((r) => first && (r.seq !== first.seq || r.stateHash !== first.stateHash));
  if (first && differ.length > 0) {
    const all = final.replicas.map((r) => `${r.name}: seq ${r.seq} hash ${r.stateHash.slice(0, 12)}`).join('; ');
    report({ check: 'divergence', message: `replicas end with different states: ${all}`, opIds: [] });
  }
  for (const conflict of final.logConflicts) {
    report({ check: 'divergence', message: `replicas hold different log entries at seq ${conflict.seq}: ${JSON.stringify(conflict.hashes)}`, opIds: [] });
  }
}

/**
 * The final state must be what the committed log says, and the log holds no
 * order of a customer nobody knows; each order's entries reach each status
 * once, and (with the whole log) make the path its timeline shows.
 */
function checkLog(history: History, report: Report): void {
  const final = history.final;
  const log = final?.log;
  if (!final || !log) return;
  const known = new Set(final.customers.map((c) => c.customerId));
  const changesOf = groupBy(log.changes, (change) => change.orderId);
  for (const [orderId, changes] of changesOf) {
    const change = changes.at(-1);
    if (!change) continue;
    const statuses = changes.map((c) => lifecycleStatus(c.status));
    const twice = statuses.find((status, i) => statuses.indexOf(status) !== i);
    if (twice) {
      const seqs = changes.filter((c) => lifecycleStatus(c.status) === twice).map((c) => c.seq);
      report({ check: 'duplicate-move', message: `the log moves order ${orderId} to ${twice} more than once (seqs ${seqs.join(', ')})`, opIds: [], customerId: change.customerId, orderId });
    }
    if (!known.has(change.customerId)) {
      if (!history.ops.some((op) => op.customerId === change.customerId)) {
        report({ check: 'unrequested-order', message: `the log holds order ${orderId} of customer ${change.customerId}, whom no client ever was`, opIds: [], orderId });
      }
      continue;
    }
    const customer = final.customers.find((c) => c.customerId === change.customerId);
    const listed = customer?.orders.find((o) => o.id === orderId);
    if (log.fromSeq <= 1 && !listed) {
      report({ check: 'log-mismatch', message: `the log holds order ${orderId} but the customer's history does not list it`, opIds: [], customerId: change.customerId, orderId });
    } else if (listed && lifecycleStatus(listed.status) !== lifecycleStatus(change.status)) {
      report({ check: 'log-mismatch', message: `order ${orderId} is ${listed.status} in the history but ${change.status} in the log (seq ${change.seq})`, opIds: [], customerId: change.customerId, orderId });
    } else if (listed && log.fromSeq <= 1) {
      const path = pathOf(listed).map((step) => step.status);
      if (path.join() !== statuses.join()) {
        report({ check: 'log-mismatch', message: `order ${orderId}'s timeline is ${path.join(' -> ')} but its log entries make ${statuses.join(' -> ')} (seqs ${changes.map((c) => c.seq).join(', ')})`, opIds: [], customerId: change.customerId, orderId });
      }
    }
  }
  if (log.fromSeq <= 1) {
    for (const customer of final.customers) {
      for (const order of customer.orders) {
        if (!changesOf.has(order.id)) report({ check: 'log-mismatch', message: `order ${order.id} is listed but no committed log entry made it`, opIds: [], customerId: customer.customerId, orderId: order.id });
      }
    }
    const replayed = new Map(history.catalog.products.map((p) => [p.id, p.stock]));
    for (const change of log.changes) for (const level of change.stock) replayed.set(level.productId, level.stock);
    for (const product of final.products) {
      const fromLog = replayed.get(product.id);
      if (fromLog !== undefined && fromLog !== product.stock) {
        report({ check: 'log-mismatch', message: `${product.id} is at stock ${product.stock} but the log leaves it at ${fromLog}`, opIds: [], productId: product.id });
      }
    }
  }
}

// ---- subscribers -----------------------------------------------------------------------------------

type Expected = { seq: number; key: string };

/** What a subscriber should see of the committed changes: its customer's orders at each placement and move, every order's (staff), or every stock level. */
export function expectedEvents(changes: CommittedChange[], subscriber: Pick<SubscriberRecord, 'feed' | 'customerId'>): Expected[] {
  const orderKey = (c: CommittedChange) => ({ seq: c.seq, key: `${c.orderId}:${lifecycleStatus(c.status)}` });
  if (subscriber.feed === 'orderStatusChanged') return changes.filter((c) => c.customerId === subscriber.customerId).map(orderKey);
  if (subscriber.feed === 'staffOrderChanged') return changes.map(orderKey);
  return changes.flatMap((c) => c.stock.map((level) => ({ seq: c.seq, key: `${level.productId}=${level.stock}` })));
}

export function eventKey(event: SubscriberEvent): string {
  return 'orderId' in event ? `${event.orderId}:${lifecycleStatus(event.status)}` : `${event.productId}=${event.stock}`;
}

function checkSubscriber(history: History, subscriber: SubscriberRecord, report: Report): void {
  const who = `subscriber ${subscriber.id} (${subscriber.feed}${subscriber.customerId ? ` of ${subscriber.customerId}` : ''})`;
  const base = { check: 'subscriber' as const, opIds: [], subscriberId: subscriber.id, customerId: subscriber.customerId ?? undefined };
  if (subscriber.endedEarly || subscriber.errors.length > 0) {
    report({ ...base, message: `${who} ended early or got errors: ${subscriber.errors.slice(0, 3).join('; ') || 'closed'}` });
  }
  const log = history.final?.log;
  // Without the log from before the subscription opened, what it should have seen is not known.
  if (!log || log.fromSeq > subscriber.fromSeq + 1) return;
  const expected = expectedEvents(log.changes, subscriber);
  const observed = subscriber.events.map(eventKey);
  const problem = compareFeed(expected, observed, subscriber.fromSeq);
  if (problem) report({ ...base, message: `${who}: ${problem}` });
}

/**
 * A subscriber must see exactly the committed changes from some point on to
 * the end, every one after `fromSeq` included: `observed` must equal a suffix
 * of `expected` that starts no later than the first change after `fromSeq`.
 * Returns what is wrong, or null.
 */
export function compareFeed(expected: Expected[], observed: string[], fromSeq: number): string | null {
  const required = expected.findIndex((e) => e.seq > fromSeq);
  const mustStartBy = required < 0 ? expected.length : required;
  const start = expected.length - observed.length;
  // Compare from the end back, so one missing or doubled event is named where it happened.
  for (let j = observed.length - 1; j >= 0; j--) {
    const want = expected[start + j];
    const got = observed[j] ?? '';
    if (want && want.key === got) continue;
    const context = `saw [${window(observed, j)}], committed [${window(expected.map((e) => e.key), start + j)}]`;
    if (j + 1 < observed.length && observed[j + 1] === got) return `saw ${got} twice (event ${j}); ${context}`;
    if (!expected.some((e) => e.key === got)) return `saw ${got}, which was never committed (event ${j}); ${context}`;
    const before = expected[start + j - 1];
    if (want && before?.key === got) {
      return j > 0 && observed[j - 1] === want.key ? `saw ${want.key} and ${got} out of order (event ${j}); ${context}` : `missed ${want.key} (seq ${want.seq}); ${context}`;
    }
    if (!want) return `saw more events than were committed since it opened (event ${j}: ${got}); ${context}`;
    return `expected ${want.key} (seq ${want.seq}) but saw ${got} (event ${j}); ${context}`;
  }
  if (start > mustStartBy) {
    const missed = expected.slice(mustStartBy, start);
    return `missed the first ${missed.length} change(s) committed after it opened: ${missed.slice(0, 5).map((e) => `${e.key} (seq ${e.seq})`).join(', ')}`;
  }
  return null;
}

function window(items: string[], at: number): string {
  return items.slice(Math.max(0, at - 2), at + 3).join(', ');
}

// ---- quotes -------------------------------------------------------------------------------------------

function checkQuotes(history: History, report: Report): void {
  const prices = new Map(history.catalog.products.map((p) => [p.id, p.priceMinor]));
  const delivery = new Map(history.catalog.deliveryOptions.map((d) => [d.id, d.costMinor]));
  for (const op of history.ops) {
    if (op.type !== 'quote' || op.outcome !== 'ok' || !op.result) continue;
    const q = op.result;
    const asked = mergeLines(op.lines);
    const linesRight = q.lines.length === asked.length && q.lines.every((line) => {
      const want = asked.find((l) => l.productId === line.productId);
      return want?.quantity === line.quantity && line.lineTotalMinor === (prices.get(line.productId) ?? NaN) * line.quantity;
    });
    const subtotal = q.lines.reduce((sum, line) => sum + line.lineTotalMinor, 0);
    const right = linesRight && q.subtotalMinor === subtotal && q.deliveryCostMinor === delivery.get(op.deliveryOptionId) && q.tipMinor === op.tipMinor
      && q.totalMinor === q.subtotalMinor + q.deliveryCostMinor + q.tipMinor;
    if (!right) report({ check: 'bad-quote', message: `quote op ${op.id} answered ${JSON.stringify(q)} for ${JSON.stringify(asked)}`, opIds: [op.id], customerId: op.customerId ?? undefined });
  }
}

// ---- helpers ------------------------------------------------------------------------------------------

export function mergeLines(lines: Line[]): Line[] {
  const merged = new Map<string, number>();
  for (const line of lines) merged.set(line.productId, (merged.get(line.productId) ?? 0) + line.quantity);
  return [...merged].map(([productId, quantity]) => ({ productId, quantity })).sort((a, b) => a.productId.localeCompare(b.productId));
}

function sameContent(a: Pick<OrderSeen, 'tipMinor' | 'deliveryOptionId' | 'lines'>, b: Pick<OrderSeen, 'tipMinor' | 'deliveryOptionId' | 'lines'>): boolean {
  return a.tipMinor === b.tipMinor && a.deliveryOptionId === b.deliveryOptionId && JSON.stringify(mergeLines(a.lines)) === JSON.stringify(mergeLines(b.lines));
}

function describeOrder(order: Pick<OrderSeen, 'tipMinor' | 'deliveryOptionId' | 'lines'>): string {
  return `${mergeLines(order.lines).map((l) => `${l.quantity}x${l.productId}`).join('+')} by ${order.deliveryOptionId}, tip ${order.tipMinor}`;
}

function sameDetails(a: object, b: object): boolean {
  const keys = ['firstName', 'lastName', 'phone', 'postcode', 'address'] as const;
  return keys.every((k) => (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k]);
}

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

// ---- the part of the history that shows a violation ------------------------------------------------------

export interface Evidence {
  ops: Op[];
  faults: History['faults'];
  views: History['views'];
}

/** The operations a violation names, the other operations on the same order or key (staff's moves of it too), and the faults and views around them. */
export function evidence(history: History, violation: Violation, opsMax = 30): Evidence {
  const named = new Set(violation.opIds);
  const related = history.ops.filter((op) => {
    if (named.has(op.id)) return true;
    if (violation.orderId !== undefined && op.type === 'moveOrder') return op.orderId === violation.orderId;
    if (!violation.customerId || op.customerId !== violation.customerId) return false;
    if (violation.orderId === undefined) return false;
    if (op.type === 'cancelOrder') return op.orderId === violation.orderId;
    if (op.type === 'placeOrder') return op.result?.id === violation.orderId || history.ops.some((o) => named.has(o.id) && o.type === 'placeOrder' && o.key === op.key);
    return false;
  });
  const ops = related.slice(-opsMax);
  const from = Math.min(...ops.map((op) => op.start)) - 3000;
  const to = Math.max(...ops.map((op) => op.end)) + 3000;
  const inWindow = ops.length > 0;
  return {
    ops,
    faults: history.faults.filter((f) => !inWindow || (f.start <= to && (f.end ?? Infinity) >= from)),
    views: history.views.filter((v) => inWindow && v.at >= from && v.at <= to),
  };
}
