// Every domain rule and error code, through GraphQL, against a real cluster
// (gateway and replicas) running inside this process.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { clusterForBlock } from './helpers/cluster.ts';
import { InProcessCluster } from './helpers/in-process.ts';
import { CANCEL_ORDER, DETAILS, ORDERS, PLACE_ORDER, SAVE_DETAILS, addStaff, allOrders, newCustomer, placeOrder, stockLevels } from './helpers/shop.ts';

let cluster: InProcessCluster;
clusterForBlock(() => InProcessCluster.start({ replicas: 2 }), (c) => (cluster = c));

const codes = (errors: { code: string }[] | undefined) => (errors ?? []).map((e) => e.code);

const QUOTE = `query Quote($input: OrderQuoteInput!) {
  orderQuote(input: $input) {
    quote { lines { productName quantity lineTotal { minorUnits } } subtotal { minorUnits } deliveryCost { minorUnits } tip { minorUnits } total { minorUnits formatted } }
    errors { code field }
  }
}`;

describe('catalogue', () => {
  it('lists the dishes with prices and stock, and three delivery options', async () => {
    const response = await cluster.gql('{ products { id name description price { minorUnits currency formatted } stock } deliveryOptions { id name cost { minorUnits formatted } } }');
    expect(response.errors).toBeUndefined();
    expect(response.data?.products.length).toBeGreaterThanOrEqual(10);
    expect(response.data?.products[0]).toMatchObject({ id: 'margherita', price: { minorUnits: 950, currency: 'GBP', formatted: '£9.50' } });
    expect(response.data?.deliveryOptions.map((d: { id: string }) => d.id)).toEqual(['standard', 'express', 'collection']);
  });
});

describe('contact details', () => {
  it('creates a customer with a token, who is then recognised as the viewer', async () => {
    const created = await cluster.gql(SAVE_DETAILS, { input: DETAILS });
    const payload = created.data?.saveContactDetails;
    expect(payload.errors).toEqual([]);
    expect(payload.token).toMatch(/^jh_/);
    expect(payload.customer).toMatchObject({ firstName: 'Ada', phone: '+442079460018', postcode: 'SW1A 1AA' });
    const viewer = await cluster.gql('{ viewer { id firstName postcode } }', {}, payload.token);
    expect(viewer.data?.viewer).toEqual({ id: payload.customer.id, firstName: 'Ada', postcode: 'SW1A 1AA' });
  });

  it('updates the viewer in place when called with a token, with no new token', async () => {
    const token = await newCustomer(cluster);
    const updated = await cluster.gql(SAVE_DETAILS, { input: { ...DETAILS, address: '2 New Road' } }, token);
    expect(updated.data?.saveContactDetails).toMatchObject({ token: null, errors: [], customer: { address: '2 New Road' } });
    const viewer = await cluster.gql('{ viewer { address } }', {}, token);
    expect(viewer.data?.viewer.address).toBe('2 New Road');
  });

  it('reports every bad field at once and saves nothing', async () => {
    const response = await cluster.gql(SAVE_DETAILS, { input: { firstName: ' ', lastName: 'X', phone: '12', postcode: 'NOPE', address: 'here' } });
    const payload = response.data?.saveContactDetails;
    expect(payload.customer).toBeNull();
    expect(payload.token).toBeNull();
    expect(payload.errors).toEqual(expect.arrayContaining([
      expect.objectContaining({ code: 'INVALID_INPUT', field: ['firstName'] }),
      expect.objectContaining({ code: 'INVALID_INPUT', field: ['phone'] }),
      expect.objectContaining({ code: 'INVALID_POSTCODE', field: ['postcode'] }),
    ]));
  });

  it('checks one field at a time, as saving would, in the form it would be stored, without saving anything', async () => {
    const check = async (field: string, value: string) =>
      (await cluster.gql('query ($field: ContactDetailField!, $value: String!) { contactDetail(field: $field, value: $value) { value errors { code message field } } }', { field, value })).data?.contactDetail;
    const before = await cluster.waitForConvergence(2);
    expect(await check('PHONE', '020 7946 0018')).toEqual({ value: '+442079460018', errors: [] });
    expect(await check('POSTCODE', ' sw1a1aa ')).toEqual({ value: 'SW1A 1AA', errors: [] });
    expect(await check('FIRST_NAME', ' Ade\u0301 ')).toEqual({ value: 'Ad\u00e9', errors: [] });
    // Each refusal in the words saveContactDetails uses for the same field.
    for (const [field, key, value] of [['PHONE', 'phone', '12'], ['POSTCODE', 'postcode', 'NOPE'], ['FIRST_NAME', 'firstName', ' '], ['ADDRESS', 'address', 'a\u0000b']] as const) {
      const saved = await cluster.gql(SAVE_DETAILS, { input: { ...DETAILS, [key]: value } });
      const checked = await check(field, value);
      expect(checked.value).toBeNull();
      expect(checked.errors).toEqual(saved.data?.saveContactDetails.errors);
      expect(checked.errors).toHaveLength(1);
    }
    expect((await cluster.waitForConvergence(2)).stateHash).toBe(before.stateHash);
  });

  it('treats an unknown token as no viewer', async () => {
    const response = await cluster.gql('{ viewer { id } }', {}, 'jh_not-a-real-token');
    expect(response.data?.viewer).toBeNull();
  });
});

describe('quotes', () => {
  it('prices a cart: subtotal + delivery + tip', async () => {
    const response = await cluster.gql(QUOTE, { input: { lines: [{ productId: 'margherita', quantity: 2 }, { productId: 'brownie', quantity: 1 }], deliveryOptionId: 'express', tipMinorUnits: 150 } });
    expect(response.data?.orderQuote.errors).toEqual([]);
    expect(response.data?.orderQuote.quote).toMatchObject({
      subtotal: { minorUnits: 2 * 950 + 450 },
      deliveryCost: { minorUnits: 599 },
      tip: { minorUnits: 150 },
      total: { minorUnits: 2 * 950 + 450 + 599 + 150, formatted: '£30.99' },
    });
  });

  it.each([
    [{ lines: [] }, 'INVALID_INPUT'],
    [{ lines: [{ productId: 'margherita', quantity: 0 }] }, 'INVALID_INPUT'],
    [{ lines: [{ productId: 'margherita', quantity: 100 }] }, 'INVALID_INPUT'],
    [{ lines: [{ productId: 'margherita', quantity: 1 }], tipMinorUnits: -1 }, 'INVALID_INPUT'],
    [{ lines: [{ productId: 'margherita', quantity: 1 }], tipMinorUnits: 10_000_000 }, 'INVALID_INPUT'],
    [{ lines: [{ productId: 'caviar', quantity: 1 }] }, 'UNKNOWN_PRODUCT'],
    [{ lines: [{ productId: 'margherita', quantity: 1 }], deliveryOptionId: 'drone' }, 'UNKNOWN_DELIVERY_OPTION'],
  ])('refuses %j with %s', async (input, code) => {
    const response = await cluster.gql(QUOTE, { input });
    expect(response.data?.orderQuote.quote).toBeNull();
    expect(codes(response.data?.orderQuote.errors)).toContain(code);
  });
});

describe('orders', () => {
  it('needs a customer', async () => {
    const response = await placeOrder(cluster, 'jh_nobody', [{ productId: 'ramen', quantity: 1 }]);
    expect(codes(response.data?.placeOrder.errors)).toEqual(['NOT_AUTHENTICATED']);
    const cancel = await cluster.gql(CANCEL_ORDER, { input: { orderId: '1' } });
    expect(codes(cancel.data?.cancelOrder.errors)).toEqual(['NOT_AUTHENTICATED']);
  });

  it('takes stock when placed and gives it back when cancelled, once', async () => {
    const token = await newCustomer(cluster);
    const before = await stockLevels(cluster);
    const placed = await cluster.gql(PLACE_ORDER, { input: { idempotencyKey: randomUUID(), lines: [{ productId: 'pad-thai', quantity: 3 }], deliveryOptionId: 'collection', tipMinorUnits: 0 } }, token);
    const order = placed.data?.placeOrder.order;
    expect(placed.data?.placeOrder.errors).toEqual([]);
    expect(order).toMatchObject({ status: 'PLACED', deliveryOption: { id: 'collection' }, total: { minorUnits: 3 * 1100 } });
    expect(order.lines[0]).toMatchObject({ productName: 'Pad Thai', quantity: 3, unitPrice: { minorUnits: 1100 } });
    expect((await stockLevels(cluster)).get('pad-thai')).toBe((before.get('pad-thai') ?? 0) - 3);

    const cancelled = await cluster.gql(CANCEL_ORDER, { input: { orderId: order.id } }, token);
    expect(cancelled.data?.cancelOrder).toMatchObject({ errors: [], order: { id: order.id, status: 'CANCELLED' } });
    expect((await stockLevels(cluster)).get('pad-thai')).toBe(before.get('pad-thai'));

    // Cancelling again (a retry after a lost answer, or a second click) is a success that gives nothing back twice.
    const again = await cluster.gql(CANCEL_ORDER, { input: { orderId: order.id } }, token);
    expect(again.data?.cancelOrder).toMatchObject({ errors: [], order: { id: order.id, status: 'CANCELLED' } });
    expect((await stockLevels(cluster)).get('pad-thai')).toBe(before.get('pad-thai'));
  });

  it('refuses more than is in stock, taking nothing from any line', async () => {
    const token = await newCustomer(cluster);
    const before = await stockLevels(cluster);
    const tooMany = (before.get('fish-chips') ?? 0) + 1;
    expect(tooMany).toBeLessThanOrEqual(99);
    const response = await placeOrder(cluster, token, [{ productId: 'brownie', quantity: 1 }, { productId: 'fish-chips', quantity: tooMany }]);
    expect(response.data?.placeOrder.order).toBeNull();
    expect(response.data?.placeOrder.errors).toEqual([expect.objectContaining({ code: 'OUT_OF_STOCK', field: ['lines', '1', 'quantity'] })]);
    expect(await stockLevels(cluster)).toEqual(before);
  });

  it('sells the last portion to exactly one of two racing customers', async () => {
    const [a, b, buyer] = await Promise.all([newCustomer(cluster), newCustomer(cluster), newCustomer(cluster)]);
    const left = (await stockLevels(cluster)).get('ramen') ?? 0;
    // Leave exactly one portion.
    for (let n = left - 1; n > 0; n -= Math.min(n, 99)) {
      const r = await placeOrder(cluster, buyer, [{ productId: 'ramen', quantity: Math.min(n, 99) }]);
      expect(r.data?.placeOrder.errors).toEqual([]);
    }
    expect((await stockLevels(cluster)).get('ramen')).toBe(1);
    const results = await Promise.all([a, b].map((t) => placeOrder(cluster, t, [{ productId: 'ramen', quantity: 1 }])));
    const winners = results.filter((r) => r.data?.placeOrder.order);
    const losers = results.filter((r) => codes(r.data?.placeOrder.errors).includes('OUT_OF_STOCK'));
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect((await stockLevels(cluster)).get('ramen')).toBe(0);
  });

  it('returns the same order for a retried idempotency key', async () => {
    const token = await newCustomer(cluster);
    const key = randomUUID();
    const first = await placeOrder(cluster, token, [{ productId: 'falafel-wrap', quantity: 1 }], key);
    const second = await placeOrder(cluster, token, [{ productId: 'falafel-wrap', quantity: 1 }], key);
    expect(second.data?.placeOrder.order.id).toBe(first.data?.placeOrder.order.id);
    expect(await allOrders(cluster, token)).toHaveLength(1);
  });

  it("keeps a customer's orders from everyone else", async () => {
    const owner = await newCustomer(cluster);
    const stranger = await newCustomer(cluster);
    const placed = await placeOrder(cluster, owner, [{ productId: 'brownie', quantity: 1 }]);
    const id = placed.data?.placeOrder.order.id;
    expect((await cluster.gql(`{ order(id: "${id}") { id } }`, {}, stranger)).data?.order).toBeNull();
    expect((await cluster.gql(`{ order(id: "${id}") { id } }`, {}, owner)).data?.order).toEqual({ id });
    expect((await cluster.gql(`{ order(id: "${id}") { id } }`)).data?.order).toBeNull();
    const cancel = await cluster.gql(CANCEL_ORDER, { input: { orderId: id } }, stranger);
    expect(codes(cancel.data?.cancelOrder.errors)).toEqual(['ORDER_NOT_FOUND']);
    expect(await allOrders(cluster, stranger)).toEqual([]);
  });

  it('refuses an unknown delivery option or product when placing', async () => {
    const token = await newCustomer(cluster);
    const noOption = await cluster.gql(PLACE_ORDER, { input: { idempotencyKey: randomUUID(), lines: [{ productId: 'brownie', quantity: 1 }], deliveryOptionId: 'teleport' } }, token);
    expect(codes(noOption.data?.placeOrder.errors)).toEqual(['UNKNOWN_DELIVERY_OPTION']);
    const noProduct = await placeOrder(cluster, token, [{ productId: 'unicorn', quantity: 1 }]);
    expect(codes(noProduct.data?.placeOrder.errors)).toEqual(['UNKNOWN_PRODUCT']);
  });

  it('lists history newest first, paginated, with an active filter (the first version\'s ACTIVE) and a status filter', async () => {
    const token = await newCustomer(cluster);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await placeOrder(cluster, token, [{ productId: 'caesar-salad', quantity: 1 }])).data?.placeOrder.order.id);
    await cluster.gql(CANCEL_ORDER, { input: { orderId: ids[1] } }, token);

    const page1 = (await cluster.gql(ORDERS, { first: 2 }, token)).data?.viewer.orders;
    expect(page1.totalCount).toBe(5);
    expect(page1.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([ids[4], ids[3]]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await cluster.gql(ORDERS, { first: 2, after: page1.pageInfo.endCursor }, token)).data?.viewer.orders;
    expect(page2.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([ids[2], ids[1]]);

    const active = (await cluster.gql(ORDERS, { active: true, first: 10 }, token)).data?.viewer.orders;
    expect(active.totalCount).toBe(4);
    expect(active.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([ids[4], ids[3], ids[2], ids[0]]);
    const gone = (await cluster.gql(ORDERS, { active: false, first: 10 }, token)).data?.viewer.orders;
    expect(gone.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([ids[1]]);
    const cancelled = (await cluster.gql(ORDERS, { status: 'CANCELLED', first: 10 }, token)).data?.viewer.orders;
    expect(cancelled.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([ids[1]]);
    const placed = (await cluster.gql(ORDERS, { status: 'PLACED', first: 10 }, token)).data?.viewer.orders;
    expect(placed.totalCount).toBe(4);
  });

  it('rejects a bad page size or cursor with a clear error', async () => {
    const token = await newCustomer(cluster);
    const response = await cluster.gql(ORDERS, { first: 0 }, token);
    expect(response.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    const cursor = await cluster.gql(ORDERS, { first: 1, after: '!!!' }, token);
    expect(cursor.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
  });
});

describe('idempotency keys', () => {
  const stateHash = async () => (await cluster.waitForConvergence(2)).stateHash;

  it('binds a key to its cart: the same key with another cart is refused and places nothing', async () => {
    const token = await newCustomer(cluster);
    const key = randomUUID();
    const first = await placeOrder(cluster, token, [{ productId: 'falafel-wrap', quantity: 1 }], key);
    expect(first.data?.placeOrder.errors).toEqual([]);
    const stock = await stockLevels(cluster);
    const before = await stateHash();

    const bigger = await cluster.gql(PLACE_ORDER, { input: { idempotencyKey: key, deliveryOptionId: 'standard', tipMinorUnits: 300, lines: [{ productId: 'falafel-wrap', quantity: 7 }] } }, token);
    expect(bigger.data?.placeOrder.order).toBeNull();
    expect(bigger.data?.placeOrder.errors).toEqual([expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED', field: ['idempotencyKey'] })]);
    expect(await stockLevels(cluster)).toEqual(stock);
    expect(await stateHash()).toBe(before);

    // The same cart again is a retry: the first order, nothing new.
    const retry = await placeOrder(cluster, token, [{ productId: 'falafel-wrap', quantity: 1 }], key);
    expect(retry.data?.placeOrder).toMatchObject({ errors: [], order: { id: first.data?.placeOrder.order.id } });
    expect(await allOrders(cluster, token)).toHaveLength(1);
  });

  it('takes keys exactly as sent: " k " and "k" are two keys, and control characters are refused', async () => {
    const token = await newCustomer(cluster);
    const key = `k-${randomUUID()}`;
    const plain = await placeOrder(cluster, token, [{ productId: 'brownie', quantity: 1 }], key);
    const spaced = await placeOrder(cluster, token, [{ productId: 'brownie', quantity: 1 }], ` ${key} `);
    expect(spaced.data?.placeOrder.order.id).not.toBe(plain.data?.placeOrder.order.id);
    const bad = await placeOrder(cluster, token, [{ productId: 'brownie', quantity: 1 }], 'nul\u0000key');
    expect(bad.data?.placeOrder.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['idempotencyKey'] })]);
    expect(await allOrders(cluster, token)).toHaveLength(2);
  });

  it('answers a retried cancel with its first answer, and refuses its key for another order', async () => {
    const token = await newCustomer(cluster);
    const [a, b] = await Promise.all([placeOrder(cluster, token, [{ productId: 'brownie', quantity: 1 }]), placeOrder(cluster, token, [{ productId: 'brownie', quantity: 1 }])]);
    const key = randomUUID();
    const cancel = (orderId: string) => cluster.gql(CANCEL_ORDER, { input: { orderId, idempotencyKey: key } }, token);
    const first = await cancel(a.data?.placeOrder.order.id);
    expect(first.data?.cancelOrder).toMatchObject({ errors: [], order: { status: 'CANCELLED' } });
    expect((await cancel(a.data?.placeOrder.order.id)).data?.cancelOrder).toEqual(first.data?.cancelOrder);
    const other = await cancel(b.data?.placeOrder.order.id);
    expect(codes(other.data?.cancelOrder.errors)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect((await allOrders(cluster, token)).map((o) => o.status).sort()).toEqual(['CANCELLED', 'PLACED']);
  });

  it('answers a retried sign-up with the same customer and token, never a second customer', async () => {
    const key = randomUUID();
    const signUp = (details = DETAILS) => cluster.gql(SAVE_DETAILS, { input: { ...details, idempotencyKey: key } });
    const first = await signUp();
    const token = first.data?.saveContactDetails.token as string;
    expect(token).toMatch(/^jh_/);
    const retry = await signUp();
    expect(retry.data?.saveContactDetails).toEqual(first.data?.saveContactDetails);
    const changed = await signUp({ ...DETAILS, firstName: 'Mallory' });
    expect(codes(changed.data?.saveContactDetails.errors)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(changed.data?.saveContactDetails.token).toBeNull();
    const viewer = await cluster.gql('{ viewer { id firstName } }', {}, token);
    expect(viewer.data?.viewer).toEqual({ id: first.data?.saveContactDetails.customer.id, firstName: DETAILS.firstName });

    // The replicas, which hold the cluster secret the token is derived with, never see the key itself.
    for (const name of ['1', '2']) {
      const db = new Database(join(cluster.dataDir, 'replicas', `${name}.db`), { readonly: true });
      try {
        const recorded = db.prepare("SELECT key FROM idempotency WHERE scope = ''").all() as { key: string }[];
        expect(recorded.length).toBeGreaterThan(0);
        expect(recorded.map((r) => r.key)).not.toContain(key);
        expect(JSON.stringify(db.prepare('SELECT effect FROM log').all())).not.toContain(key);
      } finally {
        db.close();
      }
    }

    const short = await cluster.gql(SAVE_DETAILS, { input: { ...DETAILS, idempotencyKey: 'short' } });
    expect(short.data?.saveContactDetails.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['idempotencyKey'] })]);
  });

  it('answers a retried update with its first answer, without undoing a later one', async () => {
    const token = await newCustomer(cluster);
    const update = (firstName: string, idempotencyKey: string) => cluster.gql(SAVE_DETAILS, { input: { ...DETAILS, firstName, idempotencyKey } }, token);
    const first = await update('Ada', 'update-1');
    await update('Grace', 'update-2');
    const retry = await update('Ada', 'update-1');
    expect(retry.data?.saveContactDetails).toEqual(first.data?.saveContactDetails);
    expect((await cluster.gql('{ viewer { firstName } }', {}, token)).data?.viewer.firstName).toBe('Grace');
  });
});

describe('text', () => {
  it('stores names as sent, in normal form C, and refuses control characters and unpaired surrogates naming the field', async () => {
    const decomposed = 'Zoe\u0301';
    const created = await cluster.gql(SAVE_DETAILS, { input: { ...DETAILS, firstName: decomposed, lastName: '李 🍜' } });
    const customer = created.data?.saveContactDetails.customer;
    expect(customer).toMatchObject({ firstName: 'Zo\u00e9', lastName: '李 🍜' });
    const token = created.data?.saveContactDetails.token as string;
    expect((await cluster.gql('{ viewer { firstName lastName } }', {}, token)).data?.viewer).toEqual({ firstName: 'Zo\u00e9', lastName: '李 🍜' });

    for (const [field, value] of [['firstName', 'Ada\ud800'], ['lastName', 'Love\u0000lace'], ['address', 'line one\u001b[31m'], ['address', 'two\nlines']] as const) {
      const refused = await cluster.gql(SAVE_DETAILS, { input: { ...DETAILS, [field]: value } });
      expect(refused.data?.saveContactDetails.errors, `${field} ${JSON.stringify(value)}`).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: [field] })]);
      expect(refused.data?.saveContactDetails.token).toBeNull();
    }
  });
});

describe('cluster', () => {
  it('shows anyone the epoch, whether it takes orders, and each replica\'s role and applied seq; an operator also where each listens and when it was heard from', async () => {
    const response = await cluster.gql('{ cluster { epoch writable unwritableReason primary { name role } replicas { name role appliedSeq } } }');
    expect(response.errors).toBeUndefined();
    const info = response.data?.cluster;
    expect(info.writable).toBe(true);
    expect(info.unwritableReason).toBeNull();
    expect(info.epoch).toBeGreaterThan(0);
    expect(info.replicas.map((r: { role: string }) => r.role).sort()).toEqual(['BACKUP', 'PRIMARY']);
    expect(info.primary.role).toBe('PRIMARY');

    const INTERNALS = '{ cluster { replicas { name url lastHeartbeatAt } } }';
    const operator = await addStaff(cluster, 'Olu', 'operator');
    const seen = await cluster.gql(INTERNALS, {}, operator.token);
    expect(seen.errors).toBeUndefined();
    for (const replica of seen.data?.cluster.replicas ?? []) {
      expect(replica.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(replica.lastHeartbeatAt).toMatch(/^\d{4}-/);
    }
    const kitchen = await addStaff(cluster, 'Kai', 'kitchen');
    for (const token of [undefined, await newCustomer(cluster), kitchen.token]) {
      const refused = await cluster.gql(INTERNALS, {}, token);
      expect(refused.data).toBeNull();
      expect(refused.errors).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/^Replica\.url is for staff whose role allows it/), extensions: { code: 'FORBIDDEN' } }));
      expect(new Set(refused.errors?.map((e) => e.extensions?.code))).toEqual(new Set(['FORBIDDEN']));
      expect(JSON.stringify(refused)).not.toContain('127.0.0.1');
      // A heartbeat may be null, so only it is: the rest of the answer stands.
      const heartbeat = await cluster.gql('{ cluster { writable primary { name lastHeartbeatAt } } }', {}, token);
      expect(heartbeat.data?.cluster).toMatchObject({ writable: true, primary: { lastHeartbeatAt: null } });
      expect(heartbeat.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    }
  });

  it('answers malformed GraphQL with the standard errors array and no stack', async () => {
    const response = await cluster.gql('{ products { nope } }');
    expect(response.errors?.[0]?.message).toMatch(/nope/);
    expect(JSON.stringify(response)).not.toMatch(/at .*\.ts:\d+/);
  });
});
