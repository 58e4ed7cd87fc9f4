// The order lifecycle's rules, pure (replicas/domain/lifecycle.ts): every
// status, target and role, for both ways of getting an order, against the
// issue's own table of who may move what; then on the write path, against a
// replica's store.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { execute } from '../replicas/domain/commands.ts';
import { ACTOR_ROLES, type ActorRole, FINAL_STATUSES, type Fulfilment, type LifecycleStatus, ORDER_STATUSES, checkCancel, checkMove, isActive } from '../replicas/domain/lifecycle.ts';
import { STAFF_ROLES, type StaffRole } from '../replicas/domain/types.ts';
import type { Command } from '../replicas/protocol.ts';
import { Store } from '../replicas/store.ts';

/** The table (16, item 1), written out: from, to, who, and for which orders. Operators may do what staff do. */
const ALLOWED: [LifecycleStatus, LifecycleStatus, ActorRole[], Fulfilment[]][] = [
  ['PLACED', 'ACCEPTED', ['KITCHEN', 'OPERATOR'], ['DELIVERY', 'COLLECTION']],
  ['PLACED', 'REJECTED', ['KITCHEN', 'OPERATOR'], ['DELIVERY', 'COLLECTION']],
  ['PLACED', 'CANCELLED', ['CUSTOMER'], ['DELIVERY', 'COLLECTION']],
  ['ACCEPTED', 'CANCELLED', ['CUSTOMER'], ['DELIVERY', 'COLLECTION']],
  ['ACCEPTED', 'PREPARING', ['KITCHEN', 'OPERATOR'], ['DELIVERY', 'COLLECTION']],
  ['PREPARING', 'READY', ['KITCHEN', 'OPERATOR'], ['DELIVERY', 'COLLECTION']],
  ['READY', 'OUT_FOR_DELIVERY', ['COURIER', 'OPERATOR'], ['DELIVERY']],
  ['OUT_FOR_DELIVERY', 'DELIVERED', ['COURIER', 'OPERATOR'], ['DELIVERY']],
  ['READY', 'COLLECTED', ['KITCHEN', 'OPERATOR'], ['COLLECTION']],
];

const allowed = (from: LifecycleStatus, to: LifecycleStatus, by: ActorRole, fulfilment: Fulfilment) =>
  ALLOWED.some(([f, t, roles, kinds]) => f === from && t === to && roles.includes(by) && kinds.includes(fulfilment));

describe('the order lifecycle', () => {
  it('allows exactly the moves in the table, to exactly the roles it names, and refuses every other naming the current status', () => {
    let moves = 0;
    for (const fulfilment of ['DELIVERY', 'COLLECTION'] as const) {
      for (const from of ORDER_STATUSES) {
        for (const to of ORDER_STATUSES) {
          if (from === to) continue;
          for (const by of ACTOR_ROLES) {
            const checked = checkMove({ id: '7', status: from, fulfilment }, to, by, 'Out of basil');
            const expected = allowed(from, to, by, fulfilment);
            expect({ from, to, by, fulfilment, ok: checked.ok }).toEqual({ from, to, by, fulfilment, ok: expected });
            if (checked.ok) {
              expect(checked.value).toEqual({ step: 'move', reason: to === 'REJECTED' ? 'Out of basil' : null });
              moves++;
            } else {
              expect(checked.errors).toEqual([expect.objectContaining({ code: 'INVALID_TRANSITION', field: ['to'] })]);
              expect(checked.errors[0]?.message).toContain(`Order 7 is`);
              expect(checked.errors[0]?.message).toContain(`(${from})`);
            }
          }
        }
      }
    }
    // 7 moves for either kind of order, 2 more for one kind only; kitchen, courier and operator moves by two roles each.
    expect(moves).toBe(ALLOWED.reduce((n, [, , roles, kinds]) => n + roles.length * kinds.length, 0));
  });

  it('says who may make a move to someone who may not', () => {
    const refused = checkMove({ id: '3', status: 'PLACED', fulfilment: 'DELIVERY' }, 'ACCEPTED', 'CUSTOMER');
    expect(refused).toEqual({ ok: false, errors: [{ code: 'INVALID_TRANSITION', field: ['to'], message: 'Order 3 is placed (PLACED): only the kitchen or an operator may move it to ACCEPTED.' }] });
    const late = checkMove({ id: '3', status: 'PREPARING', fulfilment: 'DELIVERY' }, 'CANCELLED', 'CUSTOMER');
    expect(late.ok ? null : late.errors[0]?.message).toBe('Order 3 is being prepared (PREPARING), so it cannot move to CANCELLED.');
  });

  it("refuses a customer's cancel as cancelOrder always has, ORDER_NOT_CANCELLABLE naming the status, and allows it exactly where the table does", () => {
    for (const status of ORDER_STATUSES) {
      const checked = checkCancel({ id: '3', status, fulfilment: 'DELIVERY' });
      expect(checked.ok, status).toBe(status === 'PLACED' || status === 'ACCEPTED' || status === 'CANCELLED');
      if (!checked.ok) expect(checked.errors).toEqual([{ code: 'ORDER_NOT_CANCELLABLE', field: ['orderId'], message: expect.stringMatching(new RegExp(`^Order 3 is [a-z ]+ \\(${status}\\): only an order that is placed or accepted`)) }]);
    }
    expect(checkCancel({ id: '3', status: 'PREPARING', fulfilment: 'COLLECTION' })).toEqual({
      ok: false,
      errors: [{ code: 'ORDER_NOT_CANCELLABLE', field: ['orderId'], message: 'Order 3 is being prepared (PREPARING): only an order that is placed or accepted, before the kitchen starts preparing it, can be cancelled.' }],
    });
  });

  it('answers a repeat of a move already made as done, for whoever may make it, and only for them', () => {
    expect(checkMove({ id: '1', status: 'CANCELLED', fulfilment: 'DELIVERY' }, 'CANCELLED', 'CUSTOMER')).toEqual({ ok: true, value: { step: 'already', reason: null } });
    expect(checkMove({ id: '1', status: 'ACCEPTED', fulfilment: 'DELIVERY' }, 'ACCEPTED', 'KITCHEN')).toEqual({ ok: true, value: { step: 'already', reason: null } });
    expect(checkMove({ id: '1', status: 'ACCEPTED', fulfilment: 'DELIVERY' }, 'ACCEPTED', 'COURIER').ok).toBe(false);
    expect(checkMove({ id: '1', status: 'CANCELLED', fulfilment: 'DELIVERY' }, 'CANCELLED', 'KITCHEN').ok).toBe(false);
  });

  it('needs a reason to reject, of a bounded length', () => {
    const order = { id: '9', status: 'PLACED' as const, fulfilment: 'DELIVERY' as const };
    for (const reason of [null, '', '   ']) expect(checkMove(order, 'REJECTED', 'KITCHEN', reason)).toMatchObject({ ok: false, errors: [{ code: 'INVALID_INPUT', field: ['reason'] }] });
    expect(checkMove(order, 'REJECTED', 'KITCHEN', 'x'.repeat(501))).toMatchObject({ ok: false, errors: [{ code: 'INVALID_INPUT', field: ['reason'] }] });
    // The reason is text a person typed, stored as names are: trimmed, in normal form C, with no control characters.
    expect(checkMove(order, 'REJECTED', 'KITCHEN', ' We have run out of basil.\u00a0')).toEqual({ ok: true, value: { step: 'move', reason: 'We have run out of basil.' } });
    expect(checkMove(order, 'REJECTED', 'KITCHEN', 'Caf\u0065\u0301 closed')).toEqual({ ok: true, value: { step: 'move', reason: 'Caf\u00e9 closed' } });
    expect(checkMove(order, 'REJECTED', 'KITCHEN', 'Closed\u0000')).toMatchObject({ ok: false, errors: [{ code: 'INVALID_INPUT', field: ['reason'], message: 'The reason contains a control character (U+0000).' }] });
  });

  it('ends in a final status from which nothing moves, and counts as active unless cancelled or rejected', () => {
    for (const status of FINAL_STATUSES) {
      for (const to of ORDER_STATUSES) {
        if (to === status) continue;
        for (const by of ACTOR_ROLES) expect(checkMove({ id: '1', status, fulfilment: 'DELIVERY' }, to, by, 'r').ok).toBe(false);
      }
    }
    expect(ORDER_STATUSES.filter((s) => !isActive(s))).toEqual(['REJECTED', 'CANCELLED']);
    // Every status can be reached from PLACED, for one kind of order or the other.
    const reached = new Set<LifecycleStatus>(['PLACED']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [from, to] of ALLOWED) if (reached.has(from) && !reached.has(to)) grew = reached.add(to) !== null;
    }
    expect([...reached].sort()).toEqual([...ORDER_STATUSES].sort());
  });
});

// The same rules on the write path: commands executed against a replica's
// store as a primary's round runs them, each effect appended and applied.
describe('order moves on the write path', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const newStore = (prepare?: (db: Database.Database) => void) => {
    const dir = mkdtempSync(join(process.env.JH_TEST_TMP ?? tmpdir(), 'jh-lifecycle-'));
    dirs.push(dir);
    const file = join(dir, 'r.db');
    if (prepare) {
      const db = new Database(file);
      prepare(db);
      db.close();
    }
    return Store.open(file);
  };
  const catalog: Command = {
    type: 'loadCatalog',
    products: [{ id: 'pho', name: 'Pho', description: '', priceMinor: 900, stock: 10 }],
    deliveryOptions: [
      { id: 'standard', name: 'Standard', description: '', costMinor: 299, fulfilment: 'DELIVERY' },
      { id: 'pick-up', name: 'Pick-up', description: '', costMinor: 0, fulfilment: 'COLLECTION' },
    ],
  };

  function shop(store: Store) {
    let clock = Date.parse('2026-11-29T12:00:00Z');
    const run = (command: Command) => {
      store.begin();
      const { outcome, effect } = execute(command, store, new Date((clock += 60_000)));
      if (effect) store.append(1, `r${store.head.seq + 1}`, effect);
      store.commit();
      return outcome;
    };
    run(catalog);
    const customer = run({ type: 'createCustomer', tokenHash: 'a'.repeat(64), details: { firstName: 'Ada', lastName: 'L', phone: '020 7946 0018', postcode: 'SW1A 1AA', address: '1 Road' } });
    const customerId = customer.ok ? (customer.value as { id: string }).id : '';
    const place = (deliveryOptionId: string, quantity = 2) => {
      const placed = run({ type: 'placeOrder', customerId, idempotencyKey: randomUUID(), lines: [{ productId: 'pho', quantity }], deliveryOptionId });
      if (!placed.ok) throw new Error(JSON.stringify(placed.errors));
      return (placed.value as { id: string }).id;
    };
    // One member of staff in each role, as `just-hungry staff add` makes them.
    const staff = new Map(
      STAFF_ROLES.map((role, i) => {
        const added = run({ type: 'addStaff', name: `A ${role.toLowerCase()}`, role, tokenHash: String(i + 1).repeat(64) });
        if (!added.ok) throw new Error(JSON.stringify(added.errors));
        return [role, (added.value as { id: string }).id];
      }),
    );
    const move = (orderId: string, to: LifecycleStatus, by: ActorRole, extra: { reason?: string; idempotencyKey?: string; actorId?: string } = {}) =>
      run({ type: 'moveOrder', orderId, to, by, actorId: by === 'CUSTOMER' ? customerId : (staff.get(by as StaffRole) ?? ''), ...extra });
    const stock = () => store.product('pho')?.stock;
    return { run, place, move, stock, customerId, staff };
  }

  it('moves an order as the member of staff is on record now: a removed one moves nothing, and the role is the record\'s, not the request\'s', () => {
    const store = newStore();
    try {
      const { place, move, run, staff } = shop(store);
      const orderId = place('standard');
      move(orderId, 'ACCEPTED', 'KITCHEN');
      move(orderId, 'PREPARING', 'KITCHEN');
      move(orderId, 'READY', 'KITCHEN');
      // The kitchen's member, sent as a courier, is still the kitchen: taking an order out is not theirs.
      expect(move(orderId, 'OUT_FOR_DELIVERY', 'COURIER', { actorId: staff.get('KITCHEN') })).toMatchObject({ ok: false, errors: [{ code: 'INVALID_TRANSITION', message: expect.stringContaining('only a courier or an operator') }] });
      const courier = staff.get('COURIER') ?? '';
      expect(run({ type: 'removeStaff', staffId: courier })).toMatchObject({ ok: true });
      const hash = store.stateHash();
      expect(move(orderId, 'OUT_FOR_DELIVERY', 'COURIER')).toEqual({ ok: false, errors: [{ code: 'STAFF_NOT_FOUND', message: `There is no member of staff ${courier}: their token no longer works.` }] });
      expect(store.stateHash()).toBe(hash);
      expect(store.orderById(orderId)?.status).toBe('READY');
    } finally {
      store.close();
    }
  });

  it('takes a delivery order from PLACED to DELIVERED and a collection order to COLLECTED, with each move in its timeline', () => {
    const store = newStore();
    try {
      const { place, move, stock } = shop(store);
      const delivered = place('standard');
      for (const [to, by] of [['ACCEPTED', 'KITCHEN'], ['PREPARING', 'KITCHEN'], ['READY', 'KITCHEN'], ['OUT_FOR_DELIVERY', 'COURIER'], ['DELIVERED', 'COURIER']] as const) {
        expect(move(delivered, to, by)).toMatchObject({ ok: true, value: { status: to } });
      }
      const order = store.orderById(delivered);
      expect(order?.timeline?.map((e) => `${e.status} by ${e.by}`)).toEqual([
        'PLACED by CUSTOMER', 'ACCEPTED by KITCHEN', 'PREPARING by KITCHEN', 'READY by KITCHEN', 'OUT_FOR_DELIVERY by COURIER', 'DELIVERED by COURIER',
      ]);
      expect(order?.timeline?.map((e) => e.at)).toEqual([...(order?.timeline?.map((e) => e.at) ?? [])].sort());
      expect(order?.deliveryOption.fulfilment).toBe('DELIVERY');

      const collected = place('pick-up');
      for (const to of ['ACCEPTED', 'PREPARING', 'READY'] as const) move(collected, to, 'KITCHEN');
      expect(move(collected, 'OUT_FOR_DELIVERY', 'COURIER')).toMatchObject({ ok: false, errors: [{ code: 'INVALID_TRANSITION' }] });
      expect(move(collected, 'COLLECTED', 'KITCHEN')).toMatchObject({ ok: true, value: { status: 'COLLECTED' } });
      expect(stock()).toBe(10 - 4);
    } finally {
      store.close();
    }
  });

  it('gives the stock back on a rejection or a cancellation, and a refused move changes nothing', () => {
    const store = newStore();
    try {
      const { place, move, stock } = shop(store);
      const rejected = place('standard', 3);
      const cancelled = place('standard', 2);
      const cooking = place('standard', 1);
      expect(stock()).toBe(4);
      expect(move(rejected, 'REJECTED', 'KITCHEN', { reason: '  The wok is broken.  ' })).toMatchObject({ ok: true, value: { status: 'REJECTED', rejectReason: 'The wok is broken.' } });
      move(cancelled, 'ACCEPTED', 'KITCHEN');
      expect(move(cancelled, 'CANCELLED', 'CUSTOMER')).toMatchObject({ ok: true, value: { status: 'CANCELLED' } });
      expect(stock()).toBe(9);
      move(cooking, 'ACCEPTED', 'KITCHEN');
      move(cooking, 'PREPARING', 'KITCHEN');
      const hash = store.stateHash();
      for (const [to, by] of [['CANCELLED', 'CUSTOMER'], ['READY', 'COURIER'], ['DELIVERED', 'KITCHEN'], ['PLACED', 'OPERATOR']] as const) {
        const code = by === 'CUSTOMER' ? 'ORDER_NOT_CANCELLABLE' : 'INVALID_TRANSITION';
        expect(move(cooking, to, by)).toMatchObject({ ok: false, errors: [{ code, message: expect.stringContaining('(PREPARING)') }] });
      }
      expect(move('999', 'ACCEPTED', 'KITCHEN')).toMatchObject({ ok: false, errors: [{ code: 'ORDER_NOT_FOUND' }] });
      expect(store.stateHash()).toBe(hash);
      expect(store.orders(store.orderById(cooking)?.customerId ?? '', { active: false, first: 10 }).orders.map((o) => o.status).sort()).toEqual(['CANCELLED', 'REJECTED']);
    } finally {
      store.close();
    }
  });

  it('answers a retried move with its first answer, and refuses its key for another move', () => {
    const store = newStore();
    try {
      const { place, move } = shop(store);
      const id = place('standard');
      const first = move(id, 'ACCEPTED', 'KITCHEN', { idempotencyKey: 'accept-1' });
      move(id, 'PREPARING', 'KITCHEN');
      expect(move(id, 'ACCEPTED', 'KITCHEN', { idempotencyKey: 'accept-1' })).toEqual(first);
      expect(move(id, 'READY', 'KITCHEN', { idempotencyKey: 'accept-1' })).toMatchObject({ ok: false, errors: [{ code: 'IDEMPOTENCY_KEY_REUSED' }] });
    } finally {
      store.close();
    }
  });

  it('reads a store from before the lifecycle: ACTIVE orders are PLACED with a timeline, and the first catalogue\'s collection is collected', () => {
    const old = { id: '1', customerId: 'c1', idempotencyKey: 'k', status: 'ACTIVE', createdAt: '2026-01-01T00:00:00.000Z', deliveryOption: { id: 'collection', name: 'Collection', description: '', costMinor: 0 }, lines: [], subtotalMinor: 0, deliveryCostMinor: 0, tipMinor: 0, totalMinor: 0 };
    const store = newStore((db) => {
      db.exec(`CREATE TABLE delivery_options (id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL, cost_minor INTEGER NOT NULL);
        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, status TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (customer_id, idempotency_key));`);
      db.prepare('INSERT INTO delivery_options VALUES (?, ?, ?, ?, ?)').run('collection', 0, 'Collection', '', 0);
      db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?, ?)').run(1, 'c1', 'k', 'ACTIVE', JSON.stringify(old));
    });
    try {
      expect(store.deliveryOptions()).toEqual([expect.objectContaining({ id: 'collection', fulfilment: 'COLLECTION' })]);
      expect(store.orderById('1')).toMatchObject({ status: 'PLACED', timeline: [{ status: 'PLACED', at: old.createdAt, by: 'CUSTOMER' }] });
      expect(store.orders('c1', { status: 'PLACED', first: 10 }).totalCount).toBe(1);
    } finally {
      store.close();
    }
  });
});
