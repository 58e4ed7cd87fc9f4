// The chaos checker, fed hand-built histories: a clean one passes, and each
// broken promise (a lost write, a duplicate, an oversell, an order or a
// cancellation nobody asked for, divergent replicas, stale or dirty reads, a
// subscriber that missed, doubled or reordered an event) is caught and named.
import { describe, expect, it } from 'vitest';
import { type CheckName, checkHistory, compareFeed, evidence } from '../chaos/checker.ts';
import type { CommittedChange, History, Line, Op, OrderSeen } from '../chaos/history.ts';
import { formatViolation } from '../chaos/summary.ts';

const C = 'customer-1';
let nextOpId = 1;
let clock = 0;

/** An operation by client 0 as customer C, starting after the previous one ended. */
function op<T extends Op['type']>(type: T, fields: Omit<Extract<Op, { type: T }>, 'id' | 'client' | 'customerId' | 'start' | 'end' | 'type'>): Op {
  const start = (clock += 10);
  const end = (clock += 10);
  return { id: nextOpId++, client: 0, customerId: C, start, end, type, ...fields } as Op;
}

const PHO2: Line[] = [{ productId: 'pho', quantity: 2 }];
const LAKSA1: Line[] = [{ productId: 'laksa', quantity: 1 }];
const PHO1: Line[] = [{ productId: 'pho', quantity: 1 }];

function order(id: string, tipMinor: number, lines: Line[], status: OrderSeen['status'] = 'ACTIVE'): OrderSeen {
  return { id, status, tipMinor, deliveryOptionId: 'standard', lines };
}

function place(key: string, tipMinor: number, lines: Line[], outcome: Op['outcome'], result?: OrderSeen, code?: string): Op {
  return op('placeOrder', { key, tipMinor, lines, deliveryOptionId: 'standard', attempt: 1, replay: false, outcome, code, result });
}

function change(seq: number, o: OrderSeen, stock: { productId: string; stock: number }[]): CommittedChange {
  return { seq, type: o.status === 'ACTIVE' ? 'orderPlaced' : 'orderCancelled', orderId: o.id, customerId: C, status: o.status, tipMinor: o.tipMinor, lines: o.lines, stock };
}

/**
 * A run where nothing went wrong: order 1 acknowledged; order 2 unknown, then
 * acknowledged on retry, then cancelled; key k3 unknown and never made; key k4
 * unknown and made (order 3). Stock: pho 10 -> 7, laksa 5 -> 4 -> 5.
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
    op('cancelOrder', { orderId: '2', attempt: 2, outcome: 'fail', code: 'ORDER_NOT_CANCELLABLE' }),
    place('k3', 3, PHO1, 'unknown', undefined, 'TIMEOUT'),
    place('k4', 4, PHO1, 'fail', undefined, 'SERVICE_UNAVAILABLE'),
    op('readOrders', { outcome: 'ok', result: { orders: [o3, { ...o2, status: 'CANCELLED' }, o1], totalCount: 3, hasNextPage: false } }),
    op('readProducts', { outcome: 'ok', result: { products: [{ id: 'pho', stock: 7 }, { id: 'laksa', stock: 5 }] } }),
    op('quote', { lines: PHO2, deliveryOptionId: 'standard', tipMinor: 50, outcome: 'ok', result: { lines: [{ productId: 'pho', quantity: 2, lineTotalMinor: 1000 }], subtotalMinor: 1000, deliveryCostMinor: 299, tipMinor: 50, totalMinor: 1349 } }),
  ];
  const cancelled = { ...o2, status: 'CANCELLED' as const };
  const changes = [
    change(3, o1, [{ productId: 'pho', stock: 8 }]),
    change(4, o2, [{ productId: 'laksa', stock: 4 }]),
    change(5, cancelled, [{ productId: 'laksa', stock: 5 }]),
    change(6, o3, [{ productId: 'pho', stock: 7 }]),
  ];
  return {
    seed: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    options: { replicas: 3 },
    catalog: {
      products: [
        { id: 'pho', priceMinor: 500, stock: 10 },
        { id: 'laksa', priceMinor: 700, stock: 5 },
      ],
      deliveryOptions: [{ id: 'standard', costMinor: 299 }],
    },
    ops,
    faults: [{ id: 1, kind: 'kill', description: 'SIGKILL primary 1; down 500 ms', targets: ['1'], start: 15, end: 60 }],
    views: [{ at: 20, epoch: 2, primary: '2', backups: ['3'], writable: true }],
    subscribers: [
      { id: 1, feed: 'orderStatusChanged', customerId: C, fromSeq: 2, readyAt: 5, events: ['1:ACTIVE', '2:ACTIVE', '2:CANCELLED', '3:ACTIVE'].map(orderEvent), errors: [], endedEarly: false },
      { id: 2, feed: 'stockChanged', customerId: null, fromSeq: 2, readyAt: 5, events: ['pho=8', 'laksa=4', 'laksa=5', 'pho=7'].map(stockEvent), errors: [], endedEarly: false },
    ],
    crashes: [],
    final: {
      customers: [{ customerId: C, client: 0, details: DETAILS, orders: [o3, cancelled, o1], totalCount: 3, pages: 1 }],
      products: [
        { id: 'pho', stock: 7 },
        { id: 'laksa', stock: 5 },
      ],
      replicas: ['1', '2', '3'].map((name) => ({ name, seq: 6, stateHash: 'abc123' })),
      log: { fromSeq: 1, headSeq: 6, changes },
      logConflicts: [],
      settleProblem: null,
    },
    problems: [],
  };
}

const DETAILS = { firstName: 'Ada', lastName: 'Chaos', phone: '+442079460018', postcode: 'SW1A 1AA', address: '1 Chaos Street' };

function orderEvent(text: string) {
  const [orderId = '', status] = text.split(':');
  return { at: 0, orderId, status: status === 'CANCELLED' ? ('CANCELLED' as const) : ('ACTIVE' as const) };
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
    const { final, customer } = finalOf(history);
    customer.orders = customer.orders.map((o) => (o.id === '2' ? { ...o, status: 'ACTIVE' } : o));
    final.products = [{ id: 'pho', stock: 7 }, { id: 'laksa', stock: 4 }];
    expect(checks(history)).toContain('lost-cancel');
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
    finalOf(leaked).final.products = [{ id: 'pho', stock: 8 }, { id: 'laksa', stock: 5 }];
    expect(messages(leaked, 'stock-conservation')).toMatch(/pho: initial 10 != stock 8 \+ active ordered 3/);

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
    const { final, customer } = finalOf(history);
    customer.orders = customer.orders.map((o) => (o.id === '1' ? { ...o, status: 'CANCELLED' } : o));
    final.products = [{ id: 'pho', stock: 9 }, { id: 'laksa', stock: 5 }];
    expect(checks(history)).toContain('unrequested-cancel');
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

  it('catches a stale read (an acknowledged order missing from a later read) and a dirty read (an order that never committed)', () => {
    const stale = clean();
    stale.ops.push(op('readOrders', { outcome: 'ok', result: { orders: [order('3', 4, PHO1)], totalCount: 1, hasNextPage: false } }));
    expect(messages(stale, 'stale-read')).toMatch(/lacks order 1/);

    const dirty = clean();
    dirty.ops.push(op('readOrders', { outcome: 'ok', result: { orders: [order('8', 8, PHO1)], totalCount: 1, hasNextPage: false } }));
    expect(checks(dirty)).toContain('dirty-read');
  });

  it('catches a subscriber that missed, doubled or reordered an event, or saw one never committed', () => {
    const cases: [string, string[], RegExp][] = [
      ['missed', ['1:ACTIVE', '2:CANCELLED', '3:ACTIVE'], /missed 2:ACTIVE \(seq 4\)/],
      ['doubled', ['1:ACTIVE', '2:ACTIVE', '2:ACTIVE', '2:CANCELLED', '3:ACTIVE'], /saw 2:ACTIVE twice/],
      ['reordered', ['1:ACTIVE', '2:ACTIVE', '3:ACTIVE', '2:CANCELLED'], /out of order/],
      ['phantom', ['1:ACTIVE', '2:ACTIVE', '2:CANCELLED', '3:ACTIVE', '9:ACTIVE'], /saw 9:ACTIVE, which was never committed/],
      ['missed first', ['2:ACTIVE', '2:CANCELLED', '3:ACTIVE'], /missed the first 1 change/],
    ];
    for (const [name, events, message] of cases) {
      const history = clean();
      const subscriber = history.subscribers[0];
      if (!subscriber) throw new Error('no subscriber');
      subscriber.events = events.map(orderEvent);
      expect(messages(history, 'subscriber'), name).toMatch(message);
    }
    const stock = clean();
    const stockSubscriber = stock.subscribers[1];
    if (!stockSubscriber) throw new Error('no subscriber');
    stockSubscriber.events = ['pho=8', 'laksa=5', 'pho=7'].map(stockEvent);
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
    expect(shown.ops.map((o) => o.type)).toEqual(['placeOrder', 'placeOrder', 'cancelOrder', 'cancelOrder']);
    expect(shown.faults.map((f) => f.id)).toEqual([1]);
    expect(formatViolation(history, lost)).toMatch(/\[lost-order\] order 2 \(key k2\)[\s\S]*op 3 client 0 .* placeOrder key k2 tip 2 attempt 1: unknown TIMEOUT[\s\S]*fault 1/);
  });
});
