// Judges the orders' lifecycle in a chaos history (issue 16): each order's
// final timeline must be a legal path of lifecycle.ts's moves with its times
// in order, each status reached once, each step asked for by someone in the
// role that made it, every acknowledged move on it; and what clients saw and
// were told must fit that one path in real time: nothing a read or an answer
// showed is off the path, nothing seen later is further back along it, and a
// move refused as INVALID_TRANSITION was refused from a status the order
// really could have had while the refusal was decided.
//
// The path is the order's own record of its moves (`timeline`), read back at
// the end; the times compared are the clients' (every operation's start and
// end on the run's one clock), never the primary's timestamps against them.
import { type Fulfilment, type LifecycleStatus, checkMove, fulfilmentOf } from '../replicas/domain/lifecycle.ts';
import { type ActorRole, ORDER_STATUSES } from '../replicas/domain/types.ts';
import type { Violation } from './checker.ts';
import type { History, Op, OrderSeen, StatusSeen, StepSeen } from './history.ts';
import { mayHaveApplied } from './outcomes.ts';

type Report = (violation: Violation) => void;

/** A status as the lifecycle names it: ACTIVE, from a history before the lifecycle, is PLACED. */
export function lifecycleStatus(status: StatusSeen): LifecycleStatus {
  return status === 'ACTIVE' ? 'PLACED' : status;
}

/** An order's path: its timeline, or for an order read without one (a history before the lifecycle) the path its status implies. */
export function pathOf(order: OrderSeen): StepSeen[] {
  if (order.timeline) return order.timeline;
  const steps: StepSeen[] = [{ status: 'PLACED', at: '', by: 'CUSTOMER' }];
  const status = lifecycleStatus(order.status);
  if (status === 'CANCELLED') steps.push({ status, at: '', by: 'CUSTOMER' });
  return steps;
}

/** An order as it ended, with where each status is on its path. */
interface Judged {
  id: string;
  customerId: string;
  status: LifecycleStatus;
  steps: StepSeen[];
  fulfilment: Fulfilment;
  /** The first place of each status on the path. */
  index: Map<LifecycleStatus, number>;
}

/** A write that may add a step to an order: a member of staff's move, or the customer's cancellation. */
interface Request {
  op: Extract<Op, { type: 'moveOrder' | 'cancelOrder' }>;
  to: LifecycleStatus;
  by: ActorRole;
  reason: string | null;
}

/**
 * Something a client learnt of an order's status: the order had `status` at
 * some moment from `from` to `to` (run time). An acknowledged move says so for
 * its target (from the first send of its key: a keyed retry is answered with
 * the first answer, which may have been made by an earlier send); a read for
 * what it showed.
 */
interface Sighting {
  status: LifecycleStatus;
  from: number;
  to: number;
  op: Op;
  read: boolean;
}

export function checkLifecycle(history: History, report: Report): void {
  const final = history.final;
  if (!final) return;
  const options = new Map(history.catalog.deliveryOptions.map((option) => [option.id, option]));
  const orders = new Map<string, Judged>();
  for (const customer of final.customers) {
    for (const order of customer.orders) {
      const steps = pathOf(order);
      const index = new Map<LifecycleStatus, number>();
      steps.forEach((step, i) => {
        if (!index.has(step.status)) index.set(step.status, i);
      });
      const fulfilment = fulfilmentOf(options.get(order.deliveryOptionId) ?? { id: order.deliveryOptionId });
      orders.set(order.id, { id: order.id, customerId: customer.customerId, status: lifecycleStatus(order.status), steps, fulfilment, index });
    }
  }
  const { requests, sightings } = collect(history.ops);
  for (const order of orders.values()) {
    checkPath(order, report);
    checkStepsAskedFor(order, requests.get(order.id) ?? [], report);
  }
  for (const [orderId, asked] of requests) {
    const order = orders.get(orderId);
    checkAnswers(orderId, order, asked, report);
    if (order) checkRefusals(order, asked, sightings.get(orderId) ?? [], report);
  }
  for (const [orderId, seen] of sightings) {
    const order = orders.get(orderId);
    if (order) checkSightings(order, seen, report);
  }
}

/** Each order's requests and sightings, from every operation. */
function collect(ops: Op[]): { requests: Map<string, Request[]>; sightings: Map<string, Sighting[]> } {
  const requests = new Map<string, Request[]>();
  const sightings = new Map<string, Sighting[]>();
  const add = <T>(map: Map<string, T[]>, id: string, item: T) => {
    const list = map.get(id);
    if (list) list.push(item);
    else map.set(id, [item]);
  };
  /** When each key of each member of staff was first sent. */
  const firstSent = new Map<string, number>();
  for (const op of ops) {
    if (op.type !== 'moveOrder') continue;
    const key = `${op.staffId}/${op.key}`;
    firstSent.set(key, Math.min(firstSent.get(key) ?? Infinity, op.start));
  }
  for (const op of ops) {
    switch (op.type) {
      case 'moveOrder':
        add(requests, op.orderId, { op, to: op.to, by: op.role, reason: op.reason });
        if (op.outcome === 'ok') add(sightings, op.orderId, { status: op.to, from: firstSent.get(`${op.staffId}/${op.key}`) ?? op.start, to: op.end, op, read: false });
        break;
      case 'cancelOrder':
        add(requests, op.orderId, { op, to: 'CANCELLED', by: 'CUSTOMER', reason: null });
        if (op.outcome === 'ok') add(sightings, op.orderId, { status: 'CANCELLED', from: op.start, to: op.end, op, read: false });
        break;
      case 'readOrders':
      case 'staffOrders':
        if (op.outcome !== 'ok') break;
        for (const order of op.result?.orders ?? []) add(sightings, order.id, { status: lifecycleStatus(order.status), from: op.start, to: op.end, op, read: true });
        break;
      default:
        // A checkout's answer is no sighting: a retried key is answered with the first answer (PLACED), however far the order has moved since.
        break;
    }
  }
  return { requests, sightings };
}

// ---- the path itself ----------------------------------------------------------------------------

const describePath = (steps: StepSeen[]) => steps.map((s) => `${s.status}(${s.by})`).join(' -> ');

/** A legal path of the lifecycle, each status once, its times never going back, ending where the order's status says. */
function checkPath(order: Judged, report: Report): void {
  const base = { opIds: [], customerId: order.customerId, orderId: order.id };
  const path = `order ${order.id} (${order.fulfilment}) went ${describePath(order.steps)}`;
  const first = order.steps[0];
  if (!first || first.status !== 'PLACED' || first.by !== 'CUSTOMER') {
    report({ ...base, check: 'illegal-transition', message: `${path}: a timeline begins PLACED by the customer` });
  }
  for (let i = 1; i < order.steps.length; i++) {
    const from = order.steps[i - 1];
    const to = order.steps[i];
    if (!from || !to) continue;
    const checked = checkMove({ id: order.id, status: from.status, fulfilment: order.fulfilment }, to.status, to.by, 'a reason');
    const legal = checked.ok && checked.value.step === 'move';
    if (!legal) report({ ...base, check: 'illegal-transition', message: `${path}: ${from.status} -> ${to.status} by ${to.by} is no move of the lifecycle` });
    if (from.at !== '' && to.at !== '' && Date.parse(to.at) < Date.parse(from.at)) {
      report({ ...base, check: 'move-order', message: `${path}: its move to ${to.status} is dated ${to.at}, before the move to ${from.status} (${from.at})` });
    }
  }
  const last = order.steps.at(-1);
  if (last && last.status !== order.status) report({ ...base, check: 'illegal-transition', message: `${path}, but its status is ${order.status}` });
  for (const [status, at] of order.index) {
    const again = order.steps.findIndex((step, i) => i > at && step.status === status);
    if (again >= 0) report({ ...base, check: 'duplicate-move', message: `${path}: it reached ${status} twice (steps ${at} and ${again})` });
  }
}

/** Every step after PLACED was asked for, by a request that may have been applied, in the role the step names. */
function checkStepsAskedFor(order: Judged, requests: Request[], report: Report): void {
  for (const step of order.steps.slice(1)) {
    // A cancellation nobody asked for is the cancellation checks' to report (unrequested-cancel).
    if (step.status === 'CANCELLED' && step.by === 'CUSTOMER') continue;
    const asked = requests.filter((r) => r.to === step.status);
    if (asked.some((r) => r.by === step.by && mayHaveApplied(r.op))) continue;
    const why = asked.length === 0 ? 'nobody asked for that move' : `only ${asked.map((r) => `op ${r.op.id} (${r.by}, ${r.op.outcome}${r.op.code ? ` ${r.op.code}` : ''})`).join(', ')} asked, and none of them can have made it`;
    report({ check: 'unrequested-move', message: `order ${order.id} reached ${step.status} by ${step.by} (${describePath(order.steps)}), but ${why}`, opIds: asked.map((r) => r.op.id), customerId: order.customerId, orderId: order.id });
  }
}

// ---- what the moves were answered ---------------------------------------------------------------

/** Every acknowledged move is on the order's path, and was answered with the order at the status it asked for. */
function checkAnswers(orderId: string, order: Judged | undefined, requests: Request[], report: Report): void {
  for (const { op, to } of requests) {
    if (op.type !== 'moveOrder' || op.outcome !== 'ok') continue;
    const base = { opIds: [op.id], customerId: order?.customerId, orderId };
    const what = `move op ${op.id} (${op.role} to ${to}, key ${op.key}) was acknowledged`;
    if (!order) report({ ...base, check: 'lost-move', message: `${what}, but order ${orderId} is not in the final state` });
    else if (!order.index.has(to)) report({ ...base, check: 'lost-move', message: `${what}, but order ${orderId} never reached ${to}: ${describePath(order.steps)}` });
    if (op.result && (op.result.id !== orderId || op.result.status !== to)) {
      report({ ...base, check: 'idempotency', message: `${what} with order ${op.result.id} at ${op.result.status}, not order ${orderId} at ${to}` });
    }
  }
}

/** The code each request is refused with when the order's status does not allow it (lifecycle.ts: checkMove, checkCancel). */
const REFUSED: Record<string, string> = { moveOrder: 'INVALID_TRANSITION', cancelOrder: 'ORDER_NOT_CANCELLABLE' };

/**
 * A move refused as INVALID_TRANSITION (a cancel, ORDER_NOT_CANCELLABLE) was decided at some moment during
 * its request, from the status the order had then. Which statuses it can
 * have had then is bounded below by what was known before the request began
 * (sightings that ended before it) and above by what happened only after it
 * ended (sightings that began after it; steps whose every request began after
 * it). The refusal is wrong if every status in those bounds allows the move,
 * or if it names a status outside them. Anything less certain is let pass.
 */
function checkRefusals(order: Judged, requests: Request[], seen: Sighting[], report: Report): void {
  for (const refused of requests) {
    const { op } = refused;
    if (op.outcome !== 'fail' || op.code !== REFUSED[op.type]) continue;
    let low = 0;
    let high = order.steps.length - 1;
    for (const s of seen) {
      const at = order.index.get(s.status);
      if (at === undefined) continue;
      if (s.to < op.start) low = Math.max(low, at);
      if (s.from > op.end) high = Math.min(high, at);
    }
    const after = order.steps.findIndex((step, i) => i > 0 && madeOnlyAfter(step, requests, op.end));
    if (after > 0) high = Math.min(high, after - 1);
    if (low > high) continue; // the sightings disagree with each other: reported as such (move-order, stale-read)
    const possible = order.steps.slice(low, high + 1).map((s) => s.status);
    const allows = (status: LifecycleStatus) => checkMove({ id: order.id, status, fulfilment: order.fulfilment }, refused.to, refused.by, refused.reason ?? 'a reason').ok;
    const base = { check: 'wrong-refusal' as const, opIds: [op.id], customerId: order.customerId, orderId: order.id };
    const what = `${op.type === 'moveOrder' ? `move op ${op.id} (${refused.by} to ${refused.to})` : `cancel op ${op.id}`} was refused as ${op.code}`;
    if (possible.every(allows)) {
      report({ ...base, message: `${what}, but order ${order.id} was ${possible.join(' or ')} throughout the request, from which that move is allowed (path ${describePath(order.steps)})` });
      continue;
    }
    // Sound only because a refused request is not remembered under its idempotency key (replicas/domain/idempotency.ts): a keyed retry is refused afresh, never answered with an earlier refusal's status.
    const named = /\(([A-Z_]+)\)/.exec(op.message ?? '')?.[1];
    if (named && (ORDER_STATUSES as readonly string[]).includes(named) && !possible.includes(named as LifecycleStatus)) {
      report({ ...base, message: `${what} saying the order was ${named}, but it can only have been ${possible.join(' or ')} then (path ${describePath(order.steps)}): "${op.message ?? ''}"` });
    }
  }
}

/** Whether a step can only have been made after `end`: every request that may have made it began later (and there was one). */
function madeOnlyAfter(step: StepSeen, requests: Request[], end: number): boolean {
  const makers = requests.filter((r) => r.to === step.status && r.by === step.by && mayHaveApplied(r.op));
  return makers.length > 0 && makers.every((r) => r.op.start > end);
}

// ---- what clients saw ---------------------------------------------------------------------------

/**
 * Every status a read showed is on the order's path (no dirty read); and
 * sightings in real time never go back along it: if one ended before another
 * began, the later one is no earlier on the path (a read that does is stale,
 * an acknowledged move that does was made out of order).
 */
function checkSightings(order: Judged, seen: Sighting[], report: Report): void {
  const base = { customerId: order.customerId, orderId: order.id };
  for (const s of seen) {
    // An acknowledged move off the path is a lost move (checkAnswers); a cancellation, a lost cancel.
    if (s.read && !order.index.has(s.status)) {
      report({ ...base, check: 'dirty-read', message: `read op ${s.op.id} (${s.op.type}) showed order ${order.id} ${s.status}, a status it never reached: ${describePath(order.steps)}`, opIds: [s.op.id] });
    }
  }
  const placed = seen.filter((s) => order.index.has(s.status));
  const byEnd = [...placed].sort((a, b) => a.to - b.to);
  const byStart = [...placed].sort((a, b) => a.from - b.from);
  let furthest: Sighting | null = null;
  let next = 0;
  const at = (s: Sighting) => order.index.get(s.status) ?? -1;
  for (const later of byStart) {
    for (; next < byEnd.length; next++) {
      const earlier = byEnd[next];
      if (!earlier || earlier.to >= later.from) break;
      if (!furthest || at(earlier) > at(furthest)) furthest = earlier;
    }
    if (!furthest || at(furthest) <= at(later)) continue;
    const known = `op ${furthest.op.id} (${furthest.op.type}, ended ${furthest.to} ms) ${furthest.read ? 'saw' : 'made'} it ${furthest.status}`;
    const message = later.read
      ? `read op ${later.op.id} (${later.op.type}, from ${later.from} ms) shows order ${order.id} ${later.status}, but ${known}: ${describePath(order.steps)}`
      : `${later.op.type} op ${later.op.id} to ${later.status} (from ${later.from} ms) was acknowledged after ${known}, yet the path has ${later.status} first: ${describePath(order.steps)}`;
    report({ ...base, check: later.read ? 'stale-read' : 'move-order', message, opIds: [furthest.op.id, later.op.id] });
    return; // one per order: the rest follow from it
  }
}
