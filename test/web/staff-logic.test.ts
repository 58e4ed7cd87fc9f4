// The web client's order lifecycle rules that need no browser: the customer's
// tracker, which moves each staff screen offers to whom, the columns, keeping
// a screen's orders current from fetches, events and moves, the minutes an
// order has waited, a pasted staff token, and the staff's addresses.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  COURIER_COLUMNS,
  KITCHEN_COLUMNS,
  MOVES,
  type OrderStatus,
  SCREEN_STATUSES,
  type Fulfilment,
  intoColumns,
  minutesWaited,
  movesFor,
  screenOrders,
  statusSentence,
  trackerSteps,
  waitedWords,
  worthKeeping,
} from '../../client/web/src/lifecycle.ts';
import { pathOf, routeOf } from '../../client/web/src/router.ts';
import { staffTokenProblem } from '../../client/web/src/staff.ts';
import { moveKeyStore, staffTokenStore, tokenStore } from '../../client/web/src/storage.ts';

/** An order that has been through `statuses`, a minute apart from 12:00. */
function order(id: string, statuses: OrderStatus[], fulfilment: Fulfilment = 'DELIVERY') {
  const timeline = statuses.map((status, i) => ({ status, at: `2026-05-01T12:0${i}:00.000Z` }));
  return { id, status: statuses[statuses.length - 1] ?? 'PLACED', timeline, deliveryOption: { fulfilment }, rejectReason: null as string | null, total: { formatted: '£12.50' } };
}

describe('the customer’s tracker', () => {
  it('shows the steps reached with their times, the current one last, then the rest of a delivery’s path', () => {
    const steps = trackerSteps(order('1', ['PLACED', 'ACCEPTED']));
    expect(steps.map((s) => `${s.status}:${s.state}:${s.at ?? '-'}`)).toEqual([
      'PLACED:done:2026-05-01T12:00:00.000Z',
      'ACCEPTED:current:2026-05-01T12:01:00.000Z',
      'PREPARING:ahead:-',
      'READY:ahead:-',
      'OUT_FOR_DELIVERY:ahead:-',
      'DELIVERED:ahead:-',
    ]);
  });

  it('ends a collection at COLLECTED, and a finished order has nothing ahead', () => {
    expect(trackerSteps(order('1', ['PLACED', 'ACCEPTED', 'PREPARING', 'READY'], 'COLLECTION')).filter((s) => s.state === 'ahead').map((s) => s.status)).toEqual(['COLLECTED']);
    const delivered = trackerSteps(order('1', ['PLACED', 'ACCEPTED', 'PREPARING', 'READY', 'OUT_FOR_DELIVERY', 'DELIVERED']));
    expect(delivered.filter((s) => s.state === 'ahead')).toEqual([]);
    expect(delivered.at(-1)).toMatchObject({ status: 'DELIVERED', state: 'current' });
  });

  it('stops where a rejection or a cancel stopped the order, saying why and that it is refunded', () => {
    const rejected = { ...order('1', ['PLACED', 'REJECTED']), rejectReason: 'We are out of dough.' };
    expect(trackerSteps(rejected).map((s) => s.status)).toEqual(['PLACED', 'REJECTED']);
    expect(statusSentence(rejected)).toBe('The kitchen could not take your order: We are out of dough. Your food will not be made, and the £12.50 is refunded in full.');
    const cancelled = order('2', ['PLACED', 'ACCEPTED', 'CANCELLED'], 'COLLECTION');
    expect(trackerSteps(cancelled).map((s) => `${s.status}:${s.state}`)).toEqual(['PLACED:done', 'ACCEPTED:done', 'CANCELLED:current']);
    expect(statusSentence(cancelled)).toBe('Your order is cancelled. Your food will not be made, and the £12.50 is refunded in full.');
  });

  it('says a ready order is waiting for a rider or ready to collect, by how it leaves', () => {
    expect(statusSentence(order('1', ['PLACED', 'ACCEPTED', 'PREPARING', 'READY']))).toBe('Your order is ready and waiting for a rider.');
    expect(statusSentence(order('1', ['PLACED', 'ACCEPTED', 'PREPARING', 'READY'], 'COLLECTION'))).toBe('Your order is ready to collect.');
  });
});

describe('the moves each staff screen offers', () => {
  const labels = (...args: Parameters<typeof movesFor>) => movesFor(...args).map((m) => m.label);

  it('offers the kitchen Accept and Reject on a new order, then one step at a time up to Ready', () => {
    expect(labels('kitchen', 'KITCHEN', order('1', ['PLACED']))).toEqual(['Accept', 'Reject']);
    expect(labels('kitchen', 'KITCHEN', order('1', ['PLACED', 'ACCEPTED']))).toEqual(['Start preparing']);
    expect(labels('kitchen', 'KITCHEN', order('1', ['PLACED', 'ACCEPTED', 'PREPARING']))).toEqual(['Ready']);
  });

  it('lets the kitchen hand over a ready collection, but leaves a ready delivery to a courier', () => {
    const ready: OrderStatus[] = ['PLACED', 'ACCEPTED', 'PREPARING', 'READY'];
    expect(labels('kitchen', 'KITCHEN', order('1', ready, 'COLLECTION'))).toEqual(['Handed over']);
    expect(labels('kitchen', 'KITCHEN', order('1', ready))).toEqual([]);
    expect(labels('courier', 'COURIER', order('1', ready))).toEqual(['Take out']);
    expect(labels('courier', 'COURIER', order('1', ready, 'COLLECTION'))).toEqual([]);
    expect(labels('courier', 'COURIER', order('1', [...ready, 'OUT_FOR_DELIVERY']))).toEqual(['Delivered']);
  });

  it('offers nothing on a screen the role may not use, an operator everything, and nobody a move out of a final status', () => {
    expect(labels('kitchen', 'COURIER', order('1', ['PLACED']))).toEqual([]);
    expect(labels('courier', 'KITCHEN', order('1', ['PLACED', 'ACCEPTED', 'PREPARING', 'READY']))).toEqual([]);
    expect(labels('kitchen', 'OPERATOR', order('1', ['PLACED']))).toEqual(['Accept', 'Reject']);
    expect(labels('courier', 'OPERATOR', order('1', ['PLACED', 'ACCEPTED', 'PREPARING', 'READY']))).toEqual(['Take out']);
    for (const final of ['DELIVERED', 'COLLECTED', 'REJECTED', 'CANCELLED'] as const) {
      for (const screen of ['kitchen', 'courier'] as const) expect(labels(screen, 'OPERATOR', { status: final, deliveryOption: { fulfilment: 'DELIVERY' } })).toEqual([]);
    }
    // The customer's cancel is not a staff move.
    expect(MOVES.some((m) => m.to === 'CANCELLED')).toBe(false);
  });
});

describe('a staff screen’s columns', () => {
  it('sorts the kitchen’s orders into New, Accepted, Preparing and Ready, each oldest first, and lets the rest go', () => {
    const orders = [
      order('12', ['PLACED']),
      order('3', ['PLACED']),
      order('7', ['PLACED', 'ACCEPTED']),
      order('9', ['PLACED', 'ACCEPTED', 'PREPARING', 'READY'], 'COLLECTION'),
      order('4', ['PLACED', 'ACCEPTED', 'PREPARING', 'READY', 'OUT_FOR_DELIVERY']),
      order('5', ['PLACED', 'CANCELLED']),
    ];
    const columns = intoColumns(orders, KITCHEN_COLUMNS).map(({ column, orders: held }) => `${column.title}: ${held.map((o) => o.id).join(' ')}`);
    expect(columns).toEqual(['New: 3 12', 'Accepted: 7', 'Preparing: ', 'Ready: 9']);
  });

  it('gives a courier ready deliveries, then those out for delivery, never a collection', () => {
    const ready: OrderStatus[] = ['PLACED', 'ACCEPTED', 'PREPARING', 'READY'];
    const orders = [order('1', ready), order('2', ready, 'COLLECTION'), order('3', [...ready, 'OUT_FOR_DELIVERY'])];
    expect(intoColumns(orders, COURIER_COLUMNS).map(({ orders: held }) => held.map((o) => o.id))).toEqual([['1'], ['3']]);
  });
});

describe('keeping a staff screen current', () => {
  const kitchen = SCREEN_STATUSES.kitchen;

  it('shows the newest version of each order, whether the fetch or an event came last', () => {
    const placed = order('1', ['PLACED']);
    const accepted = order('1', ['PLACED', 'ACCEPTED']);
    // An event newer than the fetch wins; a fetch answered after the event, but older, does not take the order back.
    expect(screenOrders([placed], new Map([['1', accepted]]), kitchen).map((o) => o.status)).toEqual(['ACCEPTED']);
    expect(screenOrders([accepted], new Map([['1', placed]]), kitchen).map((o) => o.status)).toEqual(['ACCEPTED']);
    // A new order seen live joins; one that moved off the screen leaves.
    const taken = order('1', ['PLACED', 'ACCEPTED', 'PREPARING', 'READY', 'OUT_FOR_DELIVERY']);
    expect(screenOrders([accepted], new Map([['2', order('2', ['PLACED'])]]), kitchen).map((o) => o.id)).toEqual(['1', '2']);
    expect(screenOrders([accepted], new Map([['1', taken]]), kitchen)).toEqual([]);
  });

  it('keeps only what a fetch does not already say, so a screen open all day holds no more than it shows', () => {
    const accepted = order('1', ['PLACED', 'ACCEPTED']);
    const fetched = new Map([['1', accepted]]);
    expect(worthKeeping(order('1', ['PLACED', 'ACCEPTED', 'PREPARING']), fetched, kitchen)).toBe(true); // newer
    expect(worthKeeping(order('1', ['PLACED']), fetched, kitchen)).toBe(false); // older
    expect(worthKeeping(order('1', ['PLACED', 'ACCEPTED', 'CANCELLED']), fetched, kitchen)).toBe(true); // takes it off the screen
    expect(worthKeeping(order('2', ['PLACED']), fetched, kitchen)).toBe(true); // new on the screen
    expect(worthKeeping(order('3', ['PLACED', 'CANCELLED']), fetched, kitchen)).toBe(false); // never on the screen
    expect(worthKeeping(order('4', ['PLACED']), new Map(), SCREEN_STATUSES.courier)).toBe(false); // not the courier's yet
  });
});

describe('minutes waited', () => {
  it('counts whole minutes since the order was placed, never below none', () => {
    const placed = '2026-05-01T12:00:00.000Z';
    const at = (time: string) => Date.parse(`2026-05-01T${time}.000Z`);
    expect(minutesWaited(placed, at('12:00:59'))).toBe(0);
    expect(minutesWaited(placed, at('12:01:00'))).toBe(1);
    expect(minutesWaited(placed, at('13:15:30'))).toBe(75);
    expect(minutesWaited(placed, at('11:59:00'))).toBe(0); // the browser's clock a little behind
    expect(minutesWaited('not a time', at('12:30:00'))).toBe(0);
    expect([0, 1, 59, 75].map(waitedWords)).toEqual(['under a minute', '1 min', '59 min', '1 h 15 min']);
  });
});

describe('a staff token pasted in', () => {
  it('sends only what can be a staff token, saying what is wrong with anything else', () => {
    expect(staffTokenProblem(`jhs_${'a'.repeat(43)}`)).toBeNull();
    expect(staffTokenProblem('')).toBe('Paste the staff token you were given.');
    expect(staffTokenProblem('jh_abc')).toBe('That is a customer’s token. A staff token starts with jhs_.');
    for (const text of ['jhs_a b', 'jhs_a\nb', 'hello', `jhs_${'a'.repeat(300)}`, 'jhs_é']) expect(staffTokenProblem(text)).toMatch(/^That is not a staff token/);
  });

  describe('kept', () => {
    // Node has no Web Storage: Maps stand in for the browser's.
    const stores = { local: new Map<string, string>(), session: new Map<string, string>() };
    const storage = (items: Map<string, string>) => ({
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
      removeItem: (k: string) => void items.delete(k),
    });
    beforeEach(() => {
      stores.local.clear();
      stores.session.clear();
      vi.stubGlobal('localStorage', storage(stores.local));
      vi.stubGlobal('sessionStorage', storage(stores.session));
    });
    afterEach(() => {
      vi.unstubAllGlobals();
    });

    it('for the tab only, apart from the customer’s token', () => {
      tokenStore.set('jh_customer');
      staffTokenStore.set('jhs_staff');
      expect([...stores.session.values()]).toEqual(['jhs_staff']);
      expect([...stores.local.values()]).toEqual(['jh_customer']);
      staffTokenStore.set(null);
      expect(staffTokenStore.get()).toBeNull();
      expect(tokenStore.get()).toBe('jh_customer');
    });

    it('with one idempotency key for every attempt at the same move', () => {
      const accept = { orderId: '7', to: 'ACCEPTED', reason: null };
      const key = moveKeyStore.get(accept);
      expect(moveKeyStore.get({ ...accept })).toBe(key);
      expect(moveKeyStore.get({ ...accept, to: 'REJECTED', reason: 'No dough' })).not.toBe(key);
    });
  });
});

describe('the staff’s addresses', () => {
  it('has a page for the sign-in, the kitchen and the courier, and nothing under them', () => {
    for (const page of ['staff', 'kitchen', 'courier'] as const) {
      expect(routeOf(`/${page}`)).toEqual({ page });
      expect(routeOf(pathOf({ page }))).toEqual({ page });
      expect(routeOf(`/${page}/1`)).toEqual({ page: 'not-found' });
    }
    expect(routeOf('/Kitchen')).toEqual({ page: 'not-found' });
  });
});
