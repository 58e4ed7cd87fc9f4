// The web client's rules that need no browser: the cart's limits, how API
// errors land on fields, tips, retrying while the gateway is away, idempotency
// keys, which page an address shows, and phone numbers as people write them.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CART_LINES_MAX, QUANTITY_MAX, addOne, clampToStock, itemCount, parseCart, setQuantity } from '../../client/web/src/cart.ts';
import { ConnectionStore, isOffline } from '../../client/web/src/connection.ts';
import { isRetryable, sortErrors } from '../../client/web/src/errors.ts';
import { RETRY_WAIT_MS_MAX, backoffMs, retryingFetch } from '../../client/web/src/graphql-client.ts';
import { TIP_MINOR_MAX, tipMinorUnits } from '../../client/web/src/components/TipPicker.tsx';
import { checkoutKeyStore, contactKeyStore } from '../../client/web/src/storage.ts';
import { ORDER_ID_CHARS_MAX, pathOf, routeOf } from '../../client/web/src/router.ts';
import { formatPhone } from '../../client/web/src/phone.ts';

describe('the cart', () => {
  it('never holds more of a dish than is in stock, nor more than 99', () => {
    let cart = addOne([], 'ramen', 2);
    cart = addOne(cart, 'ramen', 2);
    cart = addOne(cart, 'ramen', 2);
    expect(cart).toEqual([{ productId: 'ramen', quantity: 2 }]);
    expect(setQuantity(cart, 'ramen', 500, 1000)).toEqual([{ productId: 'ramen', quantity: QUANTITY_MAX }]);
    expect(addOne([], 'gone', 0)).toEqual([]);
  });

  it('removes a line set to zero and keeps the order lines were added in', () => {
    let cart = addOne(addOne([], 'a', 5), 'b', 5);
    cart = setQuantity(cart, 'a', 3, 5);
    expect(cart.map((l) => l.productId)).toEqual(['a', 'b']);
    expect(itemCount(cart)).toBe(4);
    expect(setQuantity(cart, 'a', 0, 5)).toEqual([{ productId: 'b', quantity: 1 }]);
  });

  it('shrinks lines to the stock left and says which', () => {
    const cart = [
      { productId: 'a', quantity: 3 },
      { productId: 'b', quantity: 2 },
      { productId: 'c', quantity: 1 },
    ];
    const clamped = clampToStock(cart, new Map([['a', 1], ['b', 0], ['c', 9]]));
    expect(clamped.cart).toEqual([
      { productId: 'a', quantity: 1 },
      { productId: 'c', quantity: 1 },
    ]);
    expect(clamped.adjustments).toEqual([
      { productId: 'a', from: 3, to: 1 },
      { productId: 'b', from: 2, to: 0 },
    ]);
    expect(clampToStock(cart, new Map([['a', 5]])).cart).toBe(cart);
  });

  it('reads back only well-formed lines from storage', () => {
    expect(parseCart('nope')).toBeNull();
    const many = Array.from({ length: CART_LINES_MAX + 5 }, (_, i) => ({ productId: `p${i}`, quantity: 1 }));
    expect(parseCart(many)).toHaveLength(CART_LINES_MAX);
    expect(parseCart([{ productId: 'a', quantity: 1.5 }, { productId: 'b', quantity: 0 }, { productId: 'c', quantity: 2 }, { productId: 'c', quantity: 3 }, null])).toEqual([
      { productId: 'c', quantity: 2 },
    ]);
  });
});

describe('API errors on a form', () => {
  it('puts each error under its field and the rest at the top', () => {
    const sorted = sortErrors(
      [
        { code: 'INVALID_INPUT', message: 'Last name is required.', field: ['lastName'] },
        { code: 'OUT_OF_STOCK', message: 'Not enough "Pad Thai": only 1 left.', field: ['lines', '1', 'quantity'] },
        { code: 'SERVICE_UNAVAILABLE', message: 'Try again.', field: null },
        { code: 'INVALID_INPUT', message: 'Too long.', field: ['idempotencyKey'] },
      ],
      ['lastName', 'lines.1.quantity'],
    );
    expect(sorted.byField).toEqual({ lastName: 'Last name is required.', 'lines.1.quantity': 'Not enough "Pad Thai": only 1 left.' });
    expect(sorted.general.map((e) => e.message)).toEqual(['Try again.', 'Too long.']);
  });

  it('offers to try again only when waiting can help', () => {
    expect(isRetryable({ code: 'POSTCODE_SERVICE_UNAVAILABLE', message: '', field: ['postcode'] })).toBe(true);
    expect(isRetryable({ code: 'INVALID_POSTCODE', message: '', field: ['postcode'] })).toBe(false);
  });
});

describe('tips', () => {
  it('turns a choice into pence, within the cap', () => {
    expect(tipMinorUnits({ kind: 'none' }, 3000)).toEqual({ minor: 0 });
    expect(tipMinorUnits({ kind: 'percent', percent: 15 }, 2999)).toEqual({ minor: 450 });
    expect(tipMinorUnits({ kind: 'custom', text: '£2.5' }, 0)).toEqual({ minor: 250 });
    expect(tipMinorUnits({ kind: 'custom', text: ' 4 ' }, 0)).toEqual({ minor: 400 });
    expect(tipMinorUnits({ kind: 'custom', text: '100' }, 0)).toEqual({ minor: TIP_MINOR_MAX });
    expect(tipMinorUnits({ kind: 'custom', text: '100.01' }, 0)).toEqual({ error: 'A tip can be at most £100.' });
    expect(tipMinorUnits({ kind: 'custom', text: '-1' }, 0)).toHaveProperty('error');
    expect(tipMinorUnits({ kind: 'custom', text: '1.234' }, 0)).toHaveProperty('error');
  });
});

describe('reaching the gateway', () => {
  it('backs off exponentially, with jitter, up to a ceiling', () => {
    expect(backoffMs(0, () => 0)).toBe(125);
    expect(backoffMs(0, () => 1)).toBe(250);
    expect(backoffMs(3, () => 1)).toBe(2000);
    expect(backoffMs(50, () => 1)).toBe(RETRY_WAIT_MS_MAX);
  });

  it('retries a request until the gateway answers, and reports the outage and the recovery', async () => {
    const connection = new ConnectionStore();
    connection.socketConnected();
    const seen: boolean[] = [];
    connection.subscribe(() => seen.push(isOffline(connection.get())));
    let calls = 0;
    const flaky: typeof fetch = async () => {
      calls++;
      if (calls === 1) throw new TypeError('Failed to fetch');
      if (calls === 2) return new Response('bad gateway', { status: 502 });
      return new Response('{"data":{}}', { status: 200 });
    };
    const response = await retryingFetch(connection, flaky)('http://gateway/graphql', { method: 'POST' });
    expect(response.status).toBe(200);
    expect(calls).toBe(3);
    expect(seen).toEqual([true, true, false]);
    expect(connection.get().recoveries).toBe(1);
  });

  it('passes other answers and errors straight through, and stops when aborted', async () => {
    const connection = new ConnectionStore();
    const answer400: typeof fetch = async () => new Response('{}', { status: 400 });
    expect((await retryingFetch(connection, answer400)('http://gateway/graphql')).status).toBe(400);
    const broken: typeof fetch = async () => {
      throw new RangeError('not a network problem');
    };
    await expect(retryingFetch(connection, broken)('http://gateway/graphql')).rejects.toThrow(RangeError);

    // Aborted while the request was out: its error is the answer, no retry.
    const early = new AbortController();
    let calls = 0;
    const down: typeof fetch = async () => {
      calls++;
      early.abort(new Error('view closed'));
      throw new TypeError('Failed to fetch');
    };
    await expect(retryingFetch(connection, down)('http://gateway/graphql', { signal: early.signal })).rejects.toThrow('Failed to fetch');
    expect(calls).toBe(1);

    // Aborted while waiting to retry: the wait ends at once.
    const waiting = new AbortController();
    calls = 0;
    const stillDown: typeof fetch = async () => {
      calls++;
      setTimeout(() => waiting.abort(new Error('view closed')), 10);
      throw new TypeError('Failed to fetch');
    };
    await expect(retryingFetch(connection, stillDown)('http://gateway/graphql', { signal: waiting.signal })).rejects.toThrow('view closed');
    expect(calls).toBe(1);
  });

  it('counts a lost socket as offline only after it had connected', () => {
    const connection = new ConnectionStore();
    connection.socketLost();
    expect(isOffline(connection.get())).toBe(false);
    connection.socketConnected();
    connection.socketLost();
    expect(isOffline(connection.get())).toBe(true);
    connection.socketConnected();
    expect(connection.get()).toMatchObject({ socket: 'connected', recoveries: 1 });
  });
});

describe('idempotency keys of the web app', () => {
  // Node has no Web Storage: a Map stands in for the browser's sessionStorage.
  beforeEach(() => {
    const items = new Map<string, string>();
    vi.stubGlobal('sessionStorage', {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
      removeItem: (k: string) => void items.delete(k),
    });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('keeps one key for every attempt at the same request, and a new one once it changes or succeeded', () => {
    const cart = { lines: [{ productId: 'ramen', quantity: 1 }], deliveryOptionId: 'standard', tipMinorUnits: 0 };
    const first = checkoutKeyStore.get(cart);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(checkoutKeyStore.get({ ...cart })).toBe(first);
    const changed = checkoutKeyStore.get({ ...cart, tipMinorUnits: 100 });
    expect(changed).not.toBe(first);
    expect(contactKeyStore.get({ details: 'x' })).not.toBe(changed);
    checkoutKeyStore.clear();
    expect(checkoutKeyStore.get({ ...cart, tipMinorUnits: 100 })).not.toBe(changed);
  });
});

describe('addresses of the web app', () => {
  it('gives each order its own address, and every other unknown address the not-found page', () => {
    expect(routeOf('/')).toEqual({ page: 'menu' });
    expect(routeOf('/checkout/')).toEqual({ page: 'checkout' });
    expect(routeOf('/orders')).toEqual({ page: 'orders' });
    expect(routeOf('/orders/42')).toEqual({ page: 'order', orderId: '42' });
    expect(routeOf('/cluster')).toEqual({ page: 'cluster' });
    for (const path of ['/menu', '/orders/42/edit', '/orders/%E0%A4%A', `/orders/${'9'.repeat(ORDER_ID_CHARS_MAX + 1)}`, '/Checkout']) {
      expect(routeOf(path)).toEqual({ page: 'not-found' });
    }
    for (const route of [{ page: 'menu' }, { page: 'orders' }, { page: 'order', orderId: '7' }, { page: 'order', orderId: 'a b' }] as const) {
      expect(routeOf(pathOf(route))).toEqual(route);
    }
  });
});

describe('phone numbers', () => {
  it('shows a UK number the way people in the UK write it, and any other in international form', () => {
    expect(formatPhone('+442079460018')).toBe('020 7946 0018');
    expect(formatPhone('+447700900123')).toBe('07700 900123');
    expect(formatPhone('+33123456789')).toBe('+33 1 23 45 67 89');
    // Not a number it can read: shown as it came.
    expect(formatPhone('12')).toBe('12');
    expect(formatPhone('+4412')).toBe('+4412');
  });
});
