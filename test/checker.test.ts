// The chaos checker, fed hand-built histories: a clean one passes, and each
// broken promise (a lost write, a duplicate, an oversell, an order or a
// cancellation nobody asked for, divergent replicas, stale or dirty reads, a
// subscriber that missed, doubled or reordered an event; and in the orders'
// lifecycle a lost, doubled or unrequested move, an illegal path, a wrong
// refusal, stock not given back by a rejection) is caught and named.
import { describe, expect, it } from 'vitest';
import { type CheckName, checkHistory, compareFeed, evidence } from '../chaos/checker.ts';
import type { CommittedChange, History, Line, Op, OrderSeen, StepSeen } from '../chaos/history.ts';
import { formatViolation } from '../chaos/summary.ts';
import { checkCancel, checkMove } from '../replicas/domain/lifecycle.ts';
import type { ActorRole, OrderStatus, StaffRole } from '../replicas/domain/types.ts';

const C = 'customer-1';
let nextOpId = 1;
let clock = 0;

type Fields<T extends Op['type']> = Omit<Extract<Op, { type: T }>, 'id' | 'client' | 'customerId' | 'start' | 'end' | 'type'>;

/** An operation by client 0 as customer C, starting after the previous one ended. */
function op<T extends Op['type']>(type: T, fields: Fields<T>): Op {
  const start = (clock += 10);
  const end = (clock += 10);
  return { id: nextOpId++, client: 0, customerId: C, start, end, type, ...fields } as Op;
}

const STAFF: Record<StaffRole, { client: number; staffId: string }> = {
  KITCHEN: { client: 1, staffId: 'staff-kitchen' },
  COURIER: { client: 2, staffId: 'staff-courier' },
  OPERATOR: { client: 3, staffId: 'staff-operator' },
};

/** A move by a member of staff (nobody's customer), after the previous operation. */
function move(orderId: string, to: OrderStatus, role: StaffRole, key: string, outcome: Op['outcome'], extra: { attempt?: number; code?: string; message?: string; reason?: string } = {}): Op {
  const { client, staffId } = STAFF[role];
  const result = outcome === 'ok' ? { id: orderId, status: to } : undefined;
  const made = op('moveOrder', { staffId, role, orderId, to, reason: extra.reason ?? null, key, attempt: extra.attempt ?? 1, replay: false, outcome, code: extra.code, message: extra.message, result });
  return { ...made, client, customerId: null };
}

/**
 * The primary's refusal of a move of a delivered order from `status`, in
 * lifecycle.ts's own words: a customer's cancel as checkCancel refuses it
 * (cancelOrder's terms), a member of staff's as checkMove refuses it to `by`
 * (an operator, unless told: an operator may make every move staff make, so
 * only the move itself is refused).
 */
function refusal(orderId: string, status: OrderStatus, to: OrderStatus, by: StaffRole = 'OPERATOR'): { code: string; message: string } {
  const order = { id: orderId, status, fulfilment: 'DELIVERY' as const };
  const checked = to === 'CANCELLED' ? checkCancel(order) : checkMove(order, to, by, 'a reason');
  const error = checked.ok ? undefined : checked.errors[0];
  if (!error) throw new Error(`lifecycle.ts lets ${by} move order ${orderId} from ${status} to ${to}: there is no refusal to copy`);
  return { code: error.code, message: error.message };
}

function queue(role: StaffRole, statuses: OrderStatus[], orders: { id: string; status: OrderStatus }[]): Op {
  const { client, staffId } = STAFF[role];
  return { ...op('staffOrders', { staffId, role, statuses, outcome: 'ok', result: { orders } }), client, customerId: null };
}

const PHO2: Line[] = [{ productId: 'pho', quantity: 2 }];
const LAKSA1: Line[] = [{ productId: 'laksa', quantity: 1 }];
const PHO1: Line[] = [{ productId: 'pho', quantity: 1 }];

function order(id: string, tipMinor: number, lines: Line[], status: OrderSeen['status'] = 'PLACED'): OrderSeen {
  return { id, status, tipMinor, deliveryOptionId: 'standard', lines };
}

/** A timeline through these steps ("ACCEPTED:KITCHEN"; PLACED and CANCELLED are the customer's), a second apart. */
function path(...steps: string[]): StepSeen[] {
  return steps.map((step, i) => {
    const [status = '', by] = step.split(':');
    return { status: status as OrderStatus, at: new Date(Date.UTC(2026, 0, 1, 12, 0, i)).toISOString(), by: (by ?? 'CUSTOMER') as ActorRole };
  });
}

/** The order as it ends: at the last step of `steps`. */
function ended(o: OrderSeen, steps: StepSeen[]): OrderSeen {
  return { ...o, status: steps.at(-1)?.status ?? 'PLACED', timeline: steps };
}

function place(key: string, tipMinor: number, lines: Line[], outcome: Op['outcome'], result?: OrderSeen, code?: string): Op {
  return op('placeOrder', { key, tipMinor, lines, deliveryOptionId: 'standard', attempt: 1, replay: false, outcome, code, result });
}

function change(seq: number, o: OrderSeen, stock: { productId: string; stock: number }[], type: CommittedChange['type'] = o.status === 'PLACED' ? 'orderPlaced' : 'orderMoved'): CommittedChange {
  return { seq, type, orderId: o.id, customerId: C, status: o.status, tipMinor: o.tipMinor, lines: o.lines, stock };
}

const O1_PATH = path('PLACED', 'ACCEPTED:KITCHEN', 'PREPARING:KITCHEN', 'READY:KITCHEN', 'OUT_FOR_DELIVERY:COURIER', 'DELIVERED:COURIER');

/**
 * A run where nothing went wrong. Customers: order 1 acknowledged; order 2
 * unknown, then acknowledged on retry, then cancelled (unknown, then "already
 * cancelled"); key k3 unknown and never made; key k4 answered
 * SERVICE_UNAVAILABLE but made (order 3). Staff: the kitchen's accept of
 * order 2 lost the race to the cancel (a right refusal); it rejects order 3
 * (SERVICE_UNAVAILABLE, then acknowledged on retry); it takes order 1 through
 * to READY (preparing: unknown, then acknowledged on retry), the customer's
 * late cancel of order 1 is refused (it is being prepared), the courier takes
 * it out and delivers it (unknown: it was made), and an operator's late
 * accept is refused from a status only that unknown move reached.
 * Stock: pho 10 -> 8 -> 7 -> 8 (the rejection gives back), laksa 5 -> 4 -> 5.
 */
function clean(): History {
  nextOpId = 1;
  clock = 0;
  const o1 = order('1', 1, PHO2);
  const o2 = order('2', 2, LAKSA1);
  const o3 = order('3', 4, PHO1);
  const ops: Op[] = [
    op('createCustomer', { details: DETAILS, outcome: 'ok', result: { customerId: C } }),
    place('k1', 1, PHO2, 'ok', o1),
    place('k2', 2, LAKSA1, 'unknown', undefined, 'TIMEOUT'),
    place('k2', 2, LAKSA1, 'ok', o2),
    op('readOrders', { outcome: 'ok', result: { orders: [o2, o1], totalCount: 2, hasNextPage: false } }),
    op('cancelOrder', { orderId: '2', attempt: 1, outcome: 'unknown', code: 'TIMEOUT' }),
    op('cancelOrder', { orderId: '2', attempt: 2, outcome: 'ok', result: { id: '2', status: 'CANCELLED' } }),
    place('k3', 3, PHO1, 'unknown', undefined, 'TIMEOUT'),
    place('k4', 4, PHO1, 'fail', undefined, 'SERVICE_UNAVAILABLE'),
    op('readOrders', { outcome: 'ok', result: { orders: [o3, { ...o2, status: 'CANCELLED' }, o1], totalCount: 3, hasNextPage: false } }),
    op('readProducts', { outcome: 'ok', result: { products: [{ id: 'pho', stock: 7 }, { id: 'laksa', stock: 5 }] } }),
    op('quote', { lines: PHO2, deliveryOptionId: 'standard', tipMinor: 50, outcome: 'ok', result: { lines: [{ productId: 'pho', quantity: 2, lineTotalMinor: 1000 }], subtotalMinor: 1000, deliveryCostMinor: 299, tipMinor: 50, totalMinor: 1349 } }),
    move('1', 'ACCEPTED', 'KITCHEN', 'kitchen-1', 'ok'), // op 13
    move('2', 'ACCEPTED', 'KITCHEN', 'kitchen-2', 'fail', refusal('2', 'CANCELLED', 'ACCEPTED')),
    move('3', 'REJECTED', 'KITCHEN', 'kitchen-3', 'fail', { code: 'SERVICE_UNAVAILABLE', reason: 'Out of pho' }),
    move('3', 'REJECTED', 'KITCHEN', 'kitchen-3', 'ok', { attempt: 2, reason: 'Out of pho' }),
    queue('KITCHEN', ['ACCEPTED'], [{ id: '1', status: 'ACCEPTED' }]), // op 17
    move('1', 'PREPARING', 'KITCHEN', 'kitchen-4', 'unknown', { code: 'TIMEOUT' }),
    move('1', 'PREPARING', 'KITCHEN', 'kitchen-4', 'ok', { attempt: 2 }),
    op('cancelOrder', { orderId: '1', attempt: 1, outcome: 'fail', ...refusal('1', 'PREPARING', 'CANCELLED') }), // op 20
    move('1', 'READY', 'KITCHEN', 'kitchen-5', 'ok'),
    move('1', 'OUT_FOR_DELIVERY', 'COURIER', 'courier-1', 'ok'),
    move('1', 'DELIVERED', 'COURIER', 'courier-2', 'unknown', { code: 'TIMEOUT' }), // op 23
    move('1', 'ACCEPTED', 'OPERATOR', 'operator-1', 'fail', refusal('1', 'DELIVERED', 'ACCEPTED')),
  ];
  const f1 = ended(o1, O1_PATH);
  const f2 = ended(o2, path('PLACED', 'CANCELLED'));
  const f3 = ended(o3, path('PLACED', 'REJECTED:KITCHEN'));
  const at = (o: OrderSeen, status: OrderStatus) => ({ ...o, status });
  const changes = [
    change(3, o1, [{ productId: 'pho', stock: 8 }]),
    change(4, o2, [{ productId: 'laksa', stock: 4 }]),
    change(5, at(o2, 'CANCELLED'), [{ productId: 'laksa', stock: 5 }]),
    change(6, o3, [{ productId: 'pho', stock: 7 }]),
    change(7, at(o1, 'ACCEPTED'), []),
    change(8, at(o3, 'REJECTED'), [{ productId: 'pho', stock: 8 }]),
    change(9, at(o1, 'PREPARING'), []),
    change(10, at(o1, 'READY'), []),
    change(11, at(o1, 'OUT_FOR_DELIVERY'), []),
    change(12, at(o1, 'DELIVERED'), []),
  ];
  const orderEvents = ['1:PLACED', '2:PLACED', '2:CANCELLED', '3:PLACED', '1:ACCEPTED', '3:REJECTED', '1:PREPARING', '1:READY', '1:OUT_FOR_DELIVERY', '1:DELIVERED'].map(orderEvent);
  return {
    seed: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    options: { replicas: 3 },
    catalog: {
      products: [
        { id: 'pho', priceMinor: 500, stock: 10 },
        { id: 'laksa', priceMinor: 700, stock: 5 },
      ],
      deliveryOptions: [{ id: 'standard', costMinor: 299, fulfilment: 'DELIVERY' }],
    },
    ops,
    faults: [{ id: 1, kind: 'kill', description: 'SIGKILL primary 1; down 500 ms', targets: ['1'], start: 15, end: 60 }],
    views: [{ at: 20, epoch: 2, primary: '2', backups: ['3'], writable: true }],
    subscribers: [
      { id: 1, feed: 'orderStatusChanged', customerId: C, fromSeq: 2, readyAt: 5, events: orderEvents, errors: [], endedEarly: false },
      { id: 2, feed: 'stockChanged', customerId: null, fromSeq: 2, readyAt: 5, events: ['pho=8', 'laksa=4', 'laksa=5', 'pho=7', 'pho=8'].map(stockEvent), errors: [], endedEarly: false },
      { id: 3, feed: 'staffOrderChanged', customerId: null, fromSeq: 2, readyAt: 5, events: [...orderEvents], errors: [], endedEarly: false },
    ],
    crashes: [],
    final: {
      customers: [{ customerId: C, client: 0, details: DETAILS, orders: [f3, f2, f1], totalCount: 3, pages: 1 }],
      products: [
        { id: 'pho', stock: 8 },
        { id: 'laksa', stock: 5 },
      ],
      replicas: ['1', '2', '3'].map((name) => ({ name, seq: 12, stateHash: 'abc123' })),
      log: { fromSeq: 1, headSeq: 12, changes },
      logConflicts: [],
      settleProblem: null,
    },
    problems: [],
  };
}

const DETAILS = { firstName: 'Ada', lastName: 'Chaos', phone: '+442079460018', postcode: 'SW1A 1AA', address: '1 Chaos Street' };

function orderEvent(text: string) {
  const [orderId = '', status = 'PLACED'] = text.split(':');
  return { at: 0, orderId, status: status as OrderStatus };
}
function stockEvent(text: string) {
  const [productId = '', stock] = text.split('=');
  return { at: 0, productId, stock: Number(stock) };
}

/** The checks that fired. */
function checks(history: History): CheckName[] {
  return [...new Set(checkHistory(history).map((v) => v.check))];
}

function messages(history: History, check: CheckName): string {
  return checkHistory(history).filter((v) => v.check === check).map((v) => v.message).join('\n');
}

function finalOf(history: History) {
  const final = history.final;
  const customer = final?.customers[0];
  if (!final || !customer) throw new Error('the clean history has a final state');
  return { final, customer };
}

/** Rewrites how an order ends in the final read (nothing else: the log and feeds still say what was committed). */
function endAs(history: History, id: string, steps: StepSeen[]): void {
  const { customer } = finalOf(history);
  customer.orders = customer.orders.map((o) => (o.id === id ? ended(o, steps) : o));
}

/** The operation with this id, to change its outcome. */
function opWith(history: History, id: number): Op {
  const found = history.ops.find((o) => o.id === id);
  if (!found) throw new Error(`no op ${id}`);
  return found;
}

describe('the chaos checker', () => {
  it('passes a clean history, unknown outcomes included', () => {
    expect(checkHistory(clean())).toEqual([]);
  });

  it('catches a lost write: an acknowledged order missing at the end', () => {
    const history = clean();
    const { final, customer } = finalOf(history);
    customer.orders = customer.orders.filter((o) => o.id !== '1');
    final.products = [{ id: 'pho', stock: 9 }, { id: 'laksa', stock: 5 }];
    expect(checks(history)).toContain('lost-order');
    expect(messages(history, 'lost-order')).toMatch(/order 1 \(key k1\) was acknowledged/);
  });

  it('catches a lost cancellation, also one the service confirmed as "already cancelled"', () => {
    const history = clean();
    endAs(history, '2', path('PLACED'));
    finalOf(history).final.products = [{ id: 'pho', stock: 8 }, { id: 'laksa', stock: 4 }];
    expect(messages(history, 'lost-cancel')).toMatch(/order 2 was confirmed cancelled \(op 7\) but ends PLACED/);
  });

  it('passes a key reused for another cart that was refused, and catches one that was accepted or placed an order', () => {
    const refused = clean();
    refused.ops.push(op('reuseKey', { key: 'k1', tipMinor: 1_000_001, lines: LAKSA1, deliveryOptionId: 'standard', outcome: 'fail', code: 'IDEMPOTENCY_KEY_REUSED' }));
    expect(checkHistory(refused)).toEqual([]);

    const accepted = clean();
    accepted.ops.push(op('reuseKey', { key: 'k1', tipMinor: 1_000_001, lines: LAKSA1, deliveryOptionId: 'standard', outcome: 'ok', result: order('1', 1, PHO2) }));
    expect(messages(accepted, 'idempotency')).toMatch(/key k1 reused for another cart was answered with order 1/);

    const otherCode = clean();
    otherCode.ops.push(op('reuseKey', { key: 'k1', tipMinor: 1_000_001, lines: LAKSA1, deliveryOptionId: 'standard', outcome: 'fail', code: 'OUT_OF_STOCK' }));
    expect(messages(otherCode, 'idempotency')).toMatch(/refused with OUT_OF_STOCK, not IDEMPOTENCY_KEY_REUSED/);

    // Refused or not, an order holding the reuse's cart is one nobody asked for.
    const placed = clean();
    placed.ops.push(op('reuseKey', { key: 'k1', tipMinor: 1_000_001, lines: LAKSA1, deliveryOptionId: 'standard', outcome: 'unknown', code: 'TIMEOUT' }));
    const { final, customer } = finalOf(placed);
    customer.orders.unshift(order('4', 1_000_001, LAKSA1));
    final.products = [{ id: 'pho', stock: 7 }, { id: 'laksa', stock: 4 }];
    expect(checks(placed)).toContain('unrequested-order');
  });

  it('catches a duplicate: two orders for one idempotency key', () => {
    const history = clean();
    const { final, customer } = finalOf(history);
    customer.orders.unshift(order('4', 1, PHO2));
    final.products = [{ id: 'pho', stock: 5 }, { id: 'laksa', stock: 5 }];
    expect(checks(history)).toContain('duplicate-order');
    expect(messages(history, 'duplicate-order')).toMatch(/key k1 produced 2 orders: 4, 1/);
  });

  it('catches a retry answered with a different order than the first answer', () => {
    const history = clean();
    history.ops.push(place('k1', 1, PHO2, 'ok', order('3', 1, PHO2)));
    expect(checks(history)).toContain('idempotency');
  });

  it('catches an oversell: stock below zero, and initial != stock + active ordered', () => {
    const negative = clean();
    finalOf(negative).final.products = [{ id: 'pho', stock: -1 }, { id: 'laksa', stock: 5 }];
    expect(checks(negative)).toEqual(expect.arrayContaining(['stock-negative', 'stock-conservation']));

    const leaked = clean();
    finalOf(leaked).final.products = [{ id: 'pho', stock: 9 }, { id: 'laksa', stock: 5 }];
    expect(messages(leaked, 'stock-conservation')).toMatch(/pho: initial 10 != stock 9 \+ active ordered 2/);

    const seen = clean();
    seen.ops.push(op('readProducts', { outcome: 'ok', result: { products: [{ id: 'laksa', stock: -2 }] } }));
    expect(checks(seen)).toContain('stock-negative');
  });

  it('catches an order nobody asked for', () => {
    const stranger = clean();
    const { final, customer } = finalOf(stranger);
    customer.orders.unshift(order('9', 77, PHO1));
    final.products = [{ id: 'pho', stock: 6 }, { id: 'laksa', stock: 5 }];
    expect(checks(stranger)).toContain('unrequested-order');

    // A key whose every attempt failed definitely must not have an order.
    const refused = clean();
    refused.ops.push(place('k5', 5, PHO1, 'fail', undefined, 'OUT_OF_STOCK'));
    finalOf(refused).customer.orders.unshift(order('9', 5, PHO1));
    expect(messages(refused, 'unrequested-order')).toMatch(/every attempt with key k5 failed definitely/);
  });

  it('catches a cancellation nobody asked for', () => {
    const history = clean();
    endAs(history, '3', path('PLACED', 'CANCELLED'));
    // The kitchen's rejection is no cancellation.
    expect(messages(history, 'unrequested-cancel')).toMatch(/order 3 ends CANCELLED but no cancellation of it can have been applied/);
  });

  it('catches divergent replicas, a log conflict and a replica missing at the end', () => {
    const divergent = clean();
    const { final } = finalOf(divergent);
    final.replicas = [...final.replicas.slice(0, 2), { name: '3', seq: 6, stateHash: 'def456' }];
    expect(messages(divergent, 'divergence')).toMatch(/3: seq 6 hash def456/);

    const conflict = clean();
    finalOf(conflict).final.logConflicts = [{ seq: 4, hashes: { '1': 'aa', '2': 'bb' } }];
    expect(checks(conflict)).toContain('divergence');

    const missing = clean();
    finalOf(missing).final.replicas.pop();
    expect(checks(missing)).toContain('not-converged');
  });

  it('catches an order whose timeline is not the path its log entries make', () => {
    // The log lost order 1's move to PREPARING (seq 9): it still ends DELIVERED, as listed, but its entries skip a step its timeline has.
    const history = clean();
    const { final } = finalOf(history);
    if (!final.log) throw new Error('the clean history has the log');
    final.log.changes = final.log.changes.filter((c) => c.seq !== 9);
    expect(messages(history, 'log-mismatch')).toMatch(
      /order 1's timeline is PLACED -> ACCEPTED -> PREPARING -> READY -> OUT_FOR_DELIVERY -> DELIVERED but its log entries make PLACED -> ACCEPTED -> READY -> OUT_FOR_DELIVERY -> DELIVERED \(seqs 3, 7, 10, 11, 12\)/,
    );
  });

  it('catches a stale read (an acknowledged order missing from a later read) and a dirty read (an order that never committed)', () => {
    const stale = clean();
    stale.ops.push(op('readOrders', { outcome: 'ok', result: { orders: [order('3', 4, PHO1)], totalCount: 1, hasNextPage: false } }));
    expect(messages(stale, 'stale-read')).toMatch(/lacks order 1/);

    const dirty = clean();
    dirty.ops.push(op('readOrders', { outcome: 'ok', result: { orders: [order('8', 8, PHO1)], totalCount: 1, hasNextPage: false } }));
    expect(checks(dirty)).toContain('dirty-read');
  });

  it('catches a subscriber that missed, doubled or reordered an event (a placement or a move), or saw one never committed', () => {
    const committed = ['1:PLACED', '2:PLACED', '2:CANCELLED', '3:PLACED', '1:ACCEPTED', '3:REJECTED', '1:PREPARING', '1:READY', '1:OUT_FOR_DELIVERY', '1:DELIVERED'];
    const without = (event: string) => committed.filter((e) => e !== event);
    const cases: [string, string[], RegExp][] = [
      ['missed', without('2:PLACED'), /missed 2:PLACED \(seq 4\)/],
      ['missed a move', without('3:REJECTED'), /missed 3:REJECTED \(seq 8\)/],
      ['doubled a move', committed.flatMap((e) => (e === '1:PREPARING' ? [e, e] : [e])), /saw 1:PREPARING twice/],
      ['reordered moves', committed.map((e) => (e === '1:PREPARING' ? '1:READY' : e === '1:READY' ? '1:PREPARING' : e)), /out of order/],
      ['phantom', [...committed, '9:PLACED'], /saw 9:PLACED, which was never committed/],
      ['missed first', committed.slice(1), /missed the first 1 change/],
    ];
    for (const [name, events, message] of cases) {
      for (const index of [0, 2]) {
        const history = clean();
        const subscriber = history.subscribers[index];
        if (!subscriber) throw new Error('no subscriber');
        subscriber.events = events.map(orderEvent);
        expect(messages(history, 'subscriber'), `${name} (${subscriber.feed})`).toMatch(message);
      }
    }
    const stock = clean();
    const stockSubscriber = stock.subscribers[1];
    if (!stockSubscriber) throw new Error('no subscriber');
    stockSubscriber.events = ['pho=8', 'laksa=5', 'pho=7', 'pho=8'].map(stockEvent);
    expect(messages(stock, 'subscriber')).toMatch(/missed laksa=4/);
  });

  it('lets a subscriber that opened late skip what was committed before it opened, but not after', () => {
    const expected = [1, 2, 3, 4].map((seq) => ({ seq, key: `e${seq}` }));
    expect(compareFeed(expected, ['e3', 'e4'], 2)).toBeNull();
    expect(compareFeed(expected, ['e4'], 2)).toMatch(/missed the first 1/);
    expect(compareFeed(expected, [], 4)).toBeNull();
  });

  it('catches a subscription that ended early', () => {
    const history = clean();
    const subscriber = history.subscribers[1];
    if (!subscriber) throw new Error('no subscriber');
    subscriber.endedEarly = true;
    subscriber.errors = ['socket closed (1006 )'];
    expect(messages(history, 'subscriber')).toMatch(/ended early/);
  });

  it('catches a lost update of contact details, a wrong quote and a process that died on its own', () => {
    const update = clean();
    update.ops.push(op('updateDetails', { details: { ...DETAILS, firstName: 'Bea' }, outcome: 'ok' }));
    expect(checks(update)).toContain('lost-update');

    const quote = clean();
    quote.ops.push(op('quote', { lines: LAKSA1, deliveryOptionId: 'standard', tipMinor: 0, outcome: 'ok', result: { lines: [{ productId: 'laksa', quantity: 1, lineTotalMinor: 700 }], subtotalMinor: 700, deliveryCostMinor: 299, tipMinor: 0, totalMinor: 1000 } }));
    expect(checks(quote)).toContain('bad-quote');

    const crash = clean();
    crash.crashes.push({ at: 40, process: '2', how: 'code 1', lastLines: ['invariant broken: entry 7 does not follow 5'] });
    expect(checks(crash)).toContain('process-crash');
  });

  it('reports a run that never read its final state as incomplete', () => {
    const history = clean();
    history.final = null;
    history.problems.push('the gateway exited during the run');
    expect(messages(history, 'incomplete')).toMatch(/the gateway exited/);
  });

  it('shows the operations and faults behind a violation', () => {
    const history = clean();
    const { final, customer } = finalOf(history);
    customer.orders = customer.orders.filter((o) => o.id !== '2');
    final.products = [{ id: 'pho', stock: 7 }, { id: 'laksa', stock: 5 }];
    const lost = checkHistory(history).find((v) => v.check === 'lost-order');
    if (!lost) throw new Error('expected a lost order');
    const shown = evidence(history, lost);
    // The kitchen's refused accept of the order is shown too: staff's moves are nobody's customer's.
    expect(shown.ops.map((o) => o.type)).toEqual(['placeOrder', 'placeOrder', 'cancelOrder', 'cancelOrder', 'moveOrder']);
    expect(shown.faults.map((f) => f.id)).toEqual([1]);
    expect(formatViolation(history, lost)).toMatch(/\[lost-order\] order 2 \(key k2\)[\s\S]*op 3 client 0 .* placeOrder key k2 tip 2 attempt 1: unknown TIMEOUT[\s\S]*fault 1/);
  });
});

describe('the chaos checker on the orders\' lifecycle', () => {
  it('catches a lost move: an acknowledged move that is not on the order\'s final path', () => {
    const history = clean();
    endAs(history, '1', O1_PATH.slice(0, 3));
    const lost = messages(history, 'lost-move');
    expect(lost).toMatch(/move op 21 \(KITCHEN to READY, key kitchen-5\) was acknowledged, but order 1 never reached READY: PLACED\(CUSTOMER\) -> ACCEPTED\(KITCHEN\) -> PREPARING\(KITCHEN\)/);
    expect(lost).toMatch(/move op 22 \(COURIER to OUT_FOR_DELIVERY/);
    // The delivery was never answered: it may be missing.
    expect(lost).not.toMatch(/DELIVERED/);
    // An order that vanished with its moves.
    const vanished = clean();
    finalOf(vanished).customer.orders = finalOf(vanished).customer.orders.filter((o) => o.id !== '3');
    expect(messages(vanished, 'lost-move')).toMatch(/move op 16 \(KITCHEN to REJECTED, key kitchen-3\) was acknowledged, but order 3 is not in the final state/);
  });

  it('lets a move whose outcome stayed unknown be missing, or be made', () => {
    // Not made: the order ends out for delivery (and the operator's late accept was refused from there).
    const notMade = clean();
    endAs(notMade, '1', O1_PATH.slice(0, 5));
    Object.assign(opWith(notMade, 24), refusal('1', 'OUT_FOR_DELIVERY', 'ACCEPTED'));
    const lifecycle = ['lost-move', 'unrequested-move', 'illegal-transition', 'move-order', 'wrong-refusal', 'duplicate-move', 'stale-read', 'dirty-read'];
    expect(checkHistory(notMade).filter((v) => lifecycle.includes(v.check))).toEqual([]);
    // Made (the clean history): the unknown delivery is on the path and nothing fires.
    expect(checkHistory(clean())).toEqual([]);
    // But a refusal that said DELIVERED when the delivery was never made told the operator a status the order never had.
    const toldWrong = clean();
    endAs(toldWrong, '1', O1_PATH.slice(0, 5));
    expect(messages(toldWrong, 'wrong-refusal')).toMatch(/move op 24 \(OPERATOR to ACCEPTED\) was refused as INVALID_TRANSITION saying the order was DELIVERED, but it can only have been OUT_FOR_DELIVERY then/);
  });

  it('catches a move applied twice: a status twice on a path, or twice in the log', () => {
    const history = clean();
    endAs(history, '1', path('PLACED', 'ACCEPTED:KITCHEN', 'PREPARING:KITCHEN', 'PREPARING:KITCHEN', 'READY:KITCHEN', 'OUT_FOR_DELIVERY:COURIER', 'DELIVERED:COURIER'));
    expect(messages(history, 'duplicate-move')).toMatch(/order 1 \(DELIVERY\) went .*: it reached PREPARING twice \(steps 2 and 3\)/);

    const logged = clean();
    const { final } = finalOf(logged);
    const o1 = final.customers[0]?.orders.find((o) => o.id === '1');
    if (!o1 || !final.log) throw new Error('order 1 and the log');
    final.log.changes.splice(7, 0, change(9.5, { ...o1, status: 'PREPARING' }, []));
    expect(messages(logged, 'duplicate-move')).toMatch(/the log moves order 1 to PREPARING more than once \(seqs 9, 9.5\)/);
  });

  it('catches a move nobody asked for, or that only a definite failure or another role asked for', () => {
    const nobody = clean();
    endAs(nobody, '3', path('PLACED', 'ACCEPTED:KITCHEN', 'REJECTED:KITCHEN'));
    expect(messages(nobody, 'unrequested-move')).toMatch(/order 3 reached ACCEPTED by KITCHEN .*, but nobody asked for that move/);

    const refused = clean();
    Object.assign(opWith(refused, 23), { outcome: 'fail', ...refusal('1', 'READY', 'DELIVERED') });
    expect(messages(refused, 'unrequested-move')).toMatch(/order 1 reached DELIVERED by COURIER .*, but only op 23 \(COURIER, fail INVALID_TRANSITION\) asked, and none of them can have made it/);

    const otherRole = clean();
    endAs(otherRole, '1', path('PLACED', 'ACCEPTED:KITCHEN', 'PREPARING:KITCHEN', 'READY:KITCHEN', 'OUT_FOR_DELIVERY:OPERATOR', 'DELIVERED:COURIER'));
    expect(messages(otherRole, 'unrequested-move')).toMatch(/order 1 reached OUT_FOR_DELIVERY by OPERATOR/);
  });

  it('catches a path the lifecycle does not allow, or whose times go back', () => {
    const cases: [string, StepSeen[], RegExp][] = [
      ['a step skipped', path('PLACED', 'ACCEPTED:KITCHEN', 'READY:KITCHEN', 'OUT_FOR_DELIVERY:COURIER', 'DELIVERED:COURIER'), /ACCEPTED -> READY by KITCHEN is no move of the lifecycle/],
      ['collected, though delivered', path('PLACED', 'ACCEPTED:KITCHEN', 'PREPARING:KITCHEN', 'READY:KITCHEN', 'COLLECTED:KITCHEN'), /READY -> COLLECTED by KITCHEN is no move of the lifecycle/],
      ['moved on from a final status', [...O1_PATH, ...path('PLACED', 'CANCELLED').slice(1)], /DELIVERED -> CANCELLED by CUSTOMER is no move/],
      ['a move by a role that may not make it', path('PLACED', 'ACCEPTED:COURIER', 'PREPARING:KITCHEN', 'READY:KITCHEN', 'OUT_FOR_DELIVERY:COURIER', 'DELIVERED:COURIER'), /PLACED -> ACCEPTED by COURIER is no move/],
      ['not begun PLACED', O1_PATH.slice(1), /a timeline begins PLACED by the customer/],
    ];
    for (const [name, steps, message] of cases) {
      const history = clean();
      endAs(history, '1', steps);
      expect(messages(history, 'illegal-transition'), name).toMatch(message);
    }
    const status = clean();
    const { customer } = finalOf(status);
    customer.orders = customer.orders.map((o) => (o.id === '1' ? { ...o, status: 'READY' } : o));
    expect(messages(status, 'illegal-transition')).toMatch(/went .* -> DELIVERED\(COURIER\), but its status is READY/);

    const backwards = clean();
    endAs(backwards, '1', O1_PATH.map((step, i) => (i === 3 ? { ...step, at: '2026-01-01T11:59:59.000Z' } : step)));
    expect(messages(backwards, 'move-order')).toMatch(/its move to READY is dated 2026-01-01T11:59:59.000Z, before the move to PREPARING/);
  });

  it('judges a path by the fulfilment of the order\'s delivery option: a collection order may not go out for delivery', () => {
    // Order 1 placed with a collection option (not named "collection"), then sent out for delivery as the clean history's order 1 is.
    const collection = clean();
    collection.catalog.deliveryOptions.push({ id: 'pickup', costMinor: 0, fulfilment: 'COLLECTION' });
    const pickup = (o: OrderSeen) => (o.id === '1' ? { ...o, deliveryOptionId: 'pickup' } : o);
    for (const o of collection.ops) {
      if (o.type === 'placeOrder' && o.key === 'k1') Object.assign(o, { deliveryOptionId: 'pickup', result: o.result && pickup(o.result) });
      if (o.type === 'readOrders' && o.result) o.result.orders = o.result.orders.map(pickup);
    }
    finalOf(collection).customer.orders = finalOf(collection).customer.orders.map(pickup);
    expect(messages(collection, 'illegal-transition')).toMatch(/order 1 \(COLLECTION\) went .*: READY -> OUT_FOR_DELIVERY by COURIER is no move of the lifecycle/);
    expect(checks(collection)).toEqual(['illegal-transition']);
  });

  it('catches reads and acknowledgements that go back along the path, and a read of a status never reached', () => {
    const stale = clean();
    stale.ops.push(queue('COURIER', ['READY'], [{ id: '1', status: 'READY' }]));
    expect(messages(stale, 'stale-read')).toMatch(/read op 25 \(staffOrders, from \d+ ms\) shows order 1 READY, but op 22 \(moveOrder, ended \d+ ms\) made it OUT_FOR_DELIVERY/);

    const customerStale = clean();
    customerStale.ops.push(op('readOrders', { outcome: 'ok', result: { orders: [order('3', 4, PHO1), { ...order('2', 2, LAKSA1), status: 'CANCELLED' }, order('1', 1, PHO2, 'ACCEPTED')], totalCount: 3, hasNextPage: false } }));
    expect(messages(customerStale, 'stale-read')).toMatch(/read op 25 \(readOrders.*\) shows order 1 ACCEPTED, but op 22/);

    const dirty = clean();
    dirty.ops.push(queue('KITCHEN', ['ACCEPTED'], [{ id: '2', status: 'ACCEPTED' }]));
    expect(messages(dirty, 'dirty-read')).toMatch(/read op 25 \(staffOrders\) showed order 2 ACCEPTED, a status it never reached: PLACED\(CUSTOMER\) -> CANCELLED\(CUSTOMER\)/);

    // Acknowledged in one order, made in the other: the later move's answer came from before the earlier one's.
    const reordered = clean();
    endAs(reordered, '1', path('PLACED', 'ACCEPTED:KITCHEN', 'PREPARING:KITCHEN', 'READY:KITCHEN', 'OUT_FOR_DELIVERY:COURIER', 'DELIVERED:COURIER'));
    reordered.ops.push(move('1', 'READY', 'KITCHEN', 'kitchen-6', 'ok'));
    expect(messages(reordered, 'move-order')).toMatch(/moveOrder op 25 to READY .* was acknowledged after op 22 \(moveOrder, ended \d+ ms\) made it OUT_FOR_DELIVERY/);
  });

  it('counts an acknowledged cancel as a sighting: a read after it showing the order PLACED is stale', () => {
    // Between the cancel's acknowledgement (op 7) and the next read (op 10, which shows it CANCELLED), a read shows order 2 still PLACED: only the cancel tells it is stale.
    const history = clean();
    const cancelled = opWith(history, 7);
    const read = op('readOrders', { outcome: 'ok', result: { orders: [order('2', 2, LAKSA1), order('1', 1, PHO2)], totalCount: 2, hasNextPage: false } });
    history.ops.splice(history.ops.indexOf(cancelled) + 1, 0, { ...read, start: cancelled.end + 1, end: cancelled.end + 2 });
    expect(messages(history, 'stale-read')).toMatch(/read op 25 \(readOrders, from \d+ ms\) shows order 2 PLACED, but op 7 \(cancelOrder, ended \d+ ms\) made it CANCELLED: PLACED\(CUSTOMER\) -> CANCELLED\(CUSTOMER\)/);
    expect(checks(history)).toEqual(['stale-read']);
  });

  it('catches a refusal from a status the order cannot have had, and lets pass one it may have had', () => {
    // The kitchen's move to PREPARING refused while the order was ACCEPTED throughout (acknowledged and read before; prepared only by later requests).
    const stalePrimary = clean();
    const queueOp = stalePrimary.ops.findIndex((o) => o.id === 17);
    const wrong = move('1', 'PREPARING', 'KITCHEN', 'kitchen-9', 'fail', refusal('1', 'PLACED', 'PREPARING'));
    stalePrimary.ops.splice(queueOp + 1, 0, { ...wrong, start: opWith(stalePrimary, 17).end + 1, end: opWith(stalePrimary, 17).end + 2 });
    expect(messages(stalePrimary, 'wrong-refusal')).toMatch(/move op 25 \(KITCHEN to PREPARING\) was refused as INVALID_TRANSITION, but order 1 was ACCEPTED throughout the request/);

    // The customer's cancel of order 3 refused as if it were being prepared, while it was PLACED until the kitchen rejected it later.
    const cancel = clean();
    const rejectOp = opWith(cancel, 15);
    cancel.ops.push({ ...op('cancelOrder', { orderId: '3', attempt: 1, outcome: 'fail', ...refusal('3', 'PREPARING', 'CANCELLED') }), start: rejectOp.start - 3, end: rejectOp.start - 1 });
    expect(messages(cancel, 'wrong-refusal')).toMatch(/cancel op 25 was refused as ORDER_NOT_CANCELLABLE, but order 3 was PLACED throughout the request/);

    // The refusal names a status the order could not have had then, though another it may have had justifies a refusal.
    // (An operator may accept a PLACED order, so the words naming PLACED are those of a courier's refusal.)
    const named = clean();
    Object.assign(opWith(named, 24), refusal('1', 'PLACED', 'ACCEPTED', 'COURIER'));
    expect(messages(named, 'wrong-refusal')).toMatch(/move op 24 \(OPERATOR to ACCEPTED\) was refused as INVALID_TRANSITION saying the order was PLACED, but it can only have been OUT_FOR_DELIVERY or DELIVERED then/);

    // A cancel refused while a preparation whose outcome is unknown was under way: it may have lost the race, so nothing is claimed.
    const racing = clean();
    const preparing = opWith(racing, 18);
    racing.ops.push({ ...op('cancelOrder', { orderId: '1', attempt: 1, outcome: 'fail', ...refusal('1', 'PREPARING', 'CANCELLED') }), start: preparing.start + 1, end: preparing.end + 1 });
    // Nor a courier's move out refused as "being prepared" while the kitchen's READY, acknowledged only after the refusal began, was under way.
    const readying = opWith(racing, 21);
    racing.ops.push({ ...move('1', 'OUT_FOR_DELIVERY', 'COURIER', 'courier-9', 'fail', refusal('1', 'PREPARING', 'OUT_FOR_DELIVERY')), start: readying.start + 1, end: readying.end + 1 });
    // Nor one that a read under way at the same time, showing the order still ACCEPTED, might seem to bound.
    racing.ops.push({
      ...op('readOrders', { outcome: 'ok', result: { orders: [order('3', 4, PHO1, 'REJECTED'), order('2', 2, LAKSA1, 'CANCELLED'), order('1', 1, PHO2, 'ACCEPTED')], totalCount: 3, hasNextPage: false } }),
      start: preparing.start + 2,
      end: preparing.end + 5,
    });
    expect(checkHistory(racing)).toEqual([]);
  });

  it('lets a keyed retry be answered with the first answer, which may be older than a move acknowledged in between', () => {
    // The kitchen's first send of PREPARING was made; an operator readied the order; the kitchen's retry then got the first answer.
    const history = clean();
    const retry = history.ops.findIndex((o) => o.id === 19);
    const ready = move('1', 'READY', 'OPERATOR', 'operator-2', 'ok');
    const retryOp = opWith(history, 19);
    history.ops.splice(retry, 0, { ...ready, start: retryOp.start - 4, end: retryOp.start - 2 });
    endAs(history, '1', path('PLACED', 'ACCEPTED:KITCHEN', 'PREPARING:KITCHEN', 'READY:OPERATOR', 'OUT_FOR_DELIVERY:COURIER', 'DELIVERED:COURIER'));
    // The customer's cancel came after the order was ready, and was told so.
    Object.assign(opWith(history, 20), refusal('1', 'READY', 'CANCELLED'));
    expect(checkHistory(history)).toEqual([]);
  });

  it('catches stock not given back by a rejection, and counts a rejected order as holding none', () => {
    const history = clean();
    finalOf(history).final.products = [{ id: 'pho', stock: 7 }, { id: 'laksa', stock: 5 }];
    expect(messages(history, 'stock-conservation')).toMatch(/pho: initial 10 != stock 7 \+ active ordered 2 \(off by 1\)/);

    // A rejection lost at the end: its stock is counted as still held, so the stock it gave back is one too many.
    const unrejected = clean();
    endAs(unrejected, '3', path('PLACED'));
    expect(messages(unrejected, 'stock-conservation')).toMatch(/pho: initial 10 != stock 8 \+ active ordered 3/);
    expect(messages(unrejected, 'lost-move')).toMatch(/order 3 never reached REJECTED/);
  });

  it('catches an acknowledged move answered with another order or status', () => {
    const history = clean();
    const accepted = opWith(history, 13);
    if (accepted.type !== 'moveOrder') throw new Error('op 13 is a move');
    accepted.result = { id: '1', status: 'PLACED' };
    expect(messages(history, 'idempotency')).toMatch(/move op 13 \(KITCHEN to ACCEPTED, key kitchen-1\) was acknowledged with order 1 at PLACED, not order 1 at ACCEPTED/);
  });
});
