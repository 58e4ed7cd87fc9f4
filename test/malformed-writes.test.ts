// Malformed requests are answered alone and at once: values GraphQL accepts but
// the replicas' wire schema does not (ids, keys and carts over the limits) are
// refused at the GraphQL edge naming their field, a /write-batch call refuses
// only its malformed requests, and nobody else's write waits on them (issue 11:
// sixteen such requests used to stall every customer's orders for 15 s).
import { randomUUID } from 'node:crypto';
import { type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ID_CHARS_MAX, IDEMPOTENCY_KEY_CHARS_MAX, ORDER_LINES_MAX } from '../replicas/domain/limits.ts';
import { invalidId, validateOrderRequest, validateQuoteInput } from '../replicas/domain/order-input.ts';
import { OrderWire, WriteBatchResponse } from '../replicas/protocol.ts';
import { SECRET, TestCluster, waitFor } from './helpers/cluster.ts';
import { CANCEL_ORDER, type OrderAttempt, PLACE_ORDER, allOrders, deepStockCatalog, newCustomer, orderingCustomers } from './helpers/shop.ts';

const PRODUCTS = ['margherita', 'ramen'];
/** Generous for a busy 2-core machine; a stalled request takes the whole 15 s deadline. */
const PROMPT_MS = 5_000;
const TOO_LONG_ID = 'x'.repeat(ID_CHARS_MAX + 1);

let cluster: TestCluster | undefined;
let proxy: RecordingProxy | undefined;
afterEach(async () => {
  await cluster?.close();
  await proxy?.close();
  cluster = undefined;
  proxy = undefined;
});

const orderInput = (overrides: Record<string, unknown> = {}) => ({
  idempotencyKey: randomUUID(),
  lines: [{ productId: 'margherita', quantity: 1 }],
  deliveryOptionId: 'standard',
  ...overrides,
});

/** The attack's values: each passes GraphQL and broke the whole /write-batch call it travelled in. */
const MALFORMED = [
  { what: 'a delivery option id over the limit', mutation: PLACE_ORDER, input: () => orderInput({ deliveryOptionId: TOO_LONG_ID }), field: ['deliveryOptionId'] },
  { what: 'an empty delivery option id', mutation: PLACE_ORDER, input: () => orderInput({ deliveryOptionId: '' }), field: ['deliveryOptionId'] },
  { what: 'an empty product id', mutation: PLACE_ORDER, input: () => orderInput({ lines: [{ productId: '', quantity: 1 }] }), field: ['lines', '0', 'productId'] },
  { what: 'an idempotency key of 1,001 characters', mutation: PLACE_ORDER, input: () => orderInput({ idempotencyKey: 'k'.repeat(1001) }), field: ['idempotencyKey'] },
  { what: '1,001 order lines', mutation: PLACE_ORDER, input: () => orderInput({ lines: Array.from({ length: 1001 }, () => ({ productId: 'ramen', quantity: 1 })) }), field: ['lines'] },
  { what: 'an order id over the limit', mutation: CANCEL_ORDER, input: () => ({ orderId: TOO_LONG_ID }), field: ['orderId'] },
  { what: 'an empty order id', mutation: CANCEL_ORDER, input: () => ({ orderId: '' }), field: ['orderId'] },
] as const;

/** New customers ordering back to back until `stop()`; every attempt is recorded with its timing. */
async function healthyCustomers(on: TestCluster, count: number) {
  const tokens = await Promise.all(Array.from({ length: count }, () => newCustomer(on)));
  return orderingCustomers(on, tokens, PRODUCTS);
}

/** The longest time, from `from` to `to`, in which no healthy order was answered. */
function longestStallMs(results: OrderAttempt[], from: number, to: number): number {
  const times = [from, ...results.map((r) => r.doneAt).filter((t) => t > from && t < to).sort((a, b) => a - b), to];
  return Math.max(...times.slice(1).map((t, i) => t - times[i]!));
}

describe('malformed mutations at the GraphQL edge', () => {
  it('answers each malformed order at once with INVALID_INPUT naming its field, while every other customer keeps ordering', async () => {
    cluster = await TestCluster.start({ replicas: 2, gatewayArgs: ['--catalog', deepStockCatalog(PRODUCTS)] });
    const on = cluster;
    const attacker = await newCustomer(on);
    const healthy = await healthyCustomers(on, 2);
    try {
      await waitFor('healthy orders to flow', () => healthy.acked.length >= 5);

      const attackStartedAt = Date.now();
      const attack = await Promise.all(Array.from({ length: 16 }, async (_, i) => {
        const kind = MALFORMED[i % MALFORMED.length]!;
        const startedAt = Date.now();
        const response = await on.gql(kind.mutation, { input: kind.input() }, attacker);
        return { kind, ms: Date.now() - startedAt, payload: response.data?.[kind.mutation === PLACE_ORDER ? 'placeOrder' : 'cancelOrder'], response };
      }));
      const attackEndedAt = Date.now();
      // The healthy customers go on after the attack too.
      const answeredBefore = healthy.attempts.length;
      await waitFor('healthy orders after the attack', () => healthy.attempts.length >= answeredBefore + 5, 30_000);
      await healthy.stop();

      for (const { kind, ms, payload, response } of attack) {
        expect(payload?.errors, `${kind.what}: ${JSON.stringify(response).slice(0, 300)}`).toEqual([
          expect.objectContaining({ code: 'INVALID_INPUT', field: kind.field }),
        ]);
        expect(ms, kind.what).toBeLessThan(PROMPT_MS);
      }
      const during = healthy.attempts.filter((r) => r.doneAt >= attackStartedAt);
      expect(healthy.failures).toEqual([]);
      expect(Math.max(...during.map((r) => r.doneAt - r.startedAt))).toBeLessThan(PROMPT_MS);
      expect(longestStallMs(healthy.attempts, attackStartedAt, Math.max(attackEndedAt, ...during.map((r) => r.doneAt)))).toBeLessThan(PROMPT_MS);
    } finally {
      await healthy.stop();
    }
    // Nothing the attack sent was committed: the attacker has no order at all.
    expect(await allOrders(on, attacker)).toEqual([]);
  }, 90_000);
});

describe('a /write-batch call with a malformed request in it', () => {
  it('answers the valid requests and commits them, and refuses only the malformed ones, each with its own reason', async () => {
    cluster = await TestCluster.start({ replicas: 2 });
    const token = await newCustomer(cluster);
    const viewer = await cluster.gql<{ viewer: { id: string } }>('{ viewer { id } }', {}, token);
    const customerId = viewer.data!.viewer.id;
    const { view, cluster: info } = await cluster.status();
    const primaryUrl = info.replicas.find((r) => r.name === view.primary)!.url;

    const place = (overrides: Record<string, unknown>) => ({
      epoch: view.epoch,
      requestId: randomUUID(),
      command: { type: 'placeOrder', customerId, idempotencyKey: randomUUID(), lines: [{ productId: 'ramen', quantity: 1 }], deliveryOptionId: 'standard', ...overrides },
    });
    const requests = [place({ idempotencyKey: 'k'.repeat(1001) }), place({}), 42, place({ deliveryOptionId: '' })];
    const response = await fetch(`${primaryUrl}/write-batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-jh-cluster-secret': SECRET },
      body: JSON.stringify({ requests }),
    });
    expect(response.status).toBe(200);
    const { answers } = WriteBatchResponse.parse(await response.json());
    expect(answers).toHaveLength(4);
    expect(answers[0]).toMatchObject({ ok: false, refusal: 'INVALID_REQUEST', message: expect.stringContaining('idempotencyKey') });
    expect(answers[1]).toMatchObject({ ok: true, outcome: { ok: true } });
    expect(answers[2]).toMatchObject({ ok: false, refusal: 'INVALID_REQUEST' });
    expect(answers[3]).toMatchObject({ ok: false, refusal: 'INVALID_REQUEST', message: expect.stringContaining('deliveryOptionId') });

    const valid = answers[1];
    if (!valid?.ok || !valid.outcome.ok) throw new Error(`the valid request was not placed: ${JSON.stringify(valid)}`);
    const placed = OrderWire.parse(valid.outcome.value).id;
    expect((await allOrders(cluster, token)).map((o) => o.id)).toEqual([placed]);
    await cluster.waitForConvergence(2);
  }, 60_000);
});

/** A cluster whose gateway reaches the primary only through a recording proxy (restarted with JH_PEER_ROUTES). */
async function clusterBehindProxy(): Promise<{ on: TestCluster; through: RecordingProxy }> {
  const on = (cluster = await TestCluster.start({ replicas: 2 }));
  const { view, cluster: info } = await on.status();
  const primaryUrl = info.replicas.find((r) => r.name === view.primary)!.url;
  const through = (proxy = await recordingProxy(primaryUrl));
  const saved = process.env.JH_PEER_ROUTES;
  process.env.JH_PEER_ROUTES = JSON.stringify({ [primaryUrl]: through.url });
  try {
    await on.kill('gateway');
    await on.startGateway();
  } finally {
    if (saved === undefined) delete process.env.JH_PEER_ROUTES;
    else process.env.JH_PEER_ROUTES = saved;
  }
  await on.waitForView(2);
  expect(await on.primary()).toBe(view.primary);
  return { on, through };
}

const ORDER_BY_ID = 'query One($id: ID!) { order(id: $id) { id } }';

describe('queries with values no record can have', () => {
  it('answers order(id:) with an over-long id at once with INVALID_INPUT naming the argument, and the primary serves no read for it', async () => {
    const { on, through } = await clusterBehindProxy();
    const token = await newCustomer(on);

    // The proxy is in the path: an ordinary lookup is a read it sees.
    const ordinary = await on.gql(ORDER_BY_ID, { id: '12345' }, token);
    expect(ordinary.errors).toBeUndefined();
    expect(ordinary.data?.order).toBeNull();
    expect(through.bodies('/read', '"orderId":"12345"')).toHaveLength(1);

    const startedAt = Date.now();
    const hostile = await on.gql(ORDER_BY_ID, { id: TOO_LONG_ID }, token);
    const ms = Date.now() - startedAt;
    expect(hostile.data?.order ?? null).toBeNull();
    expect(hostile.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'INVALID_INPUT', field: ['id'] }) })]);
    expect(hostile.errors![0]!.message).not.toMatch(/\n\s+at /);
    expect(ms).toBeLessThan(PROMPT_MS);
    expect(through.bodies('/read', TOO_LONG_ID)).toEqual([]);

    // A quote of a cart no order can be is answered the same way, as the payload's errors.
    const cart = Array.from({ length: 1001 }, () => ({ productId: 'ramen', quantity: 1 }));
    const quoteStartedAt = Date.now();
    const quote = await on.gql('query Quote($input: OrderQuoteInput!) { orderQuote(input: $input) { quote { total { minorUnits } } errors { code field } } }', {
      input: { lines: cart, deliveryOptionId: TOO_LONG_ID },
    });
    expect(Date.now() - quoteStartedAt).toBeLessThan(PROMPT_MS);
    expect(quote.data?.orderQuote.errors).toEqual([{ code: 'INVALID_INPUT', field: ['lines'] }, { code: 'INVALID_INPUT', field: ['deliveryOptionId'] }]);
    expect(through.bodies('/read', TOO_LONG_ID)).toEqual([]);
  }, 90_000);
});

describe('the router and a primary that refuses a request', () => {
  it('sends a write or read the primary answered with a 4xx only once and fails it at once, and still retries a 5xx', async () => {
    const { on, through } = await clusterBehindProxy();
    const token = await newCustomer(on);
    through.fault = (path, body) => (body.includes('refuse-me') ? 400 : body.includes('flaky-once') && through.bodies(path, 'flaky-once').length === 1 ? 503 : null);

    let startedAt = Date.now();
    const write = await on.gql(PLACE_ORDER, { input: orderInput({ idempotencyKey: 'refuse-me' }) }, token);
    expect(Date.now() - startedAt).toBeLessThan(PROMPT_MS);
    expect(write.data?.placeOrder.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT' })]);
    expect(through.bodies('/write-batch', 'refuse-me')).toHaveLength(1);

    startedAt = Date.now();
    const read = await on.gql(ORDER_BY_ID, { id: 'refuse-me' }, token);
    expect(Date.now() - startedAt).toBeLessThan(PROMPT_MS);
    expect(read.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'INVALID_INPUT' }) })]);
    expect(read.errors![0]!.message).not.toMatch(/\n\s+at /);
    expect(through.bodies('/read', 'refuse-me')).toHaveLength(1);

    // A 5xx is the primary's trouble, not the request's: sent again, and the order is placed.
    const flaky = await on.gql(PLACE_ORDER, { input: orderInput({ idempotencyKey: 'flaky-once' }) }, token);
    expect(flaky.data?.placeOrder.order?.id).toBeTruthy();
    expect(through.bodies('/write-batch', 'flaky-once').length).toBeGreaterThanOrEqual(2);
  }, 90_000);
});

describe('the limits at the edge are the wire schema\'s', () => {
  it('takes ids, keys and carts up to each limit and refuses one over, naming the field', () => {
    expect(invalidId('x'.repeat(ID_CHARS_MAX), 'An order id', ['orderId'])).toBeNull();
    expect(invalidId(TOO_LONG_ID, 'An order id', ['orderId'])).toMatchObject({ code: 'INVALID_INPUT', field: ['orderId'] });
    const fullCart = Array.from({ length: ORDER_LINES_MAX }, () => ({ productId: 'p'.repeat(ID_CHARS_MAX), quantity: 1 }));
    // Keys are taken as sent: the longest is IDEMPOTENCY_KEY_CHARS_MAX characters, spaces included.
    const longest = { idempotencyKey: ` ${'k'.repeat(IDEMPOTENCY_KEY_CHARS_MAX - 2)} `, lines: fullCart, deliveryOptionId: 'd'.repeat(ID_CHARS_MAX) };
    expect(validateOrderRequest(longest)).toEqual({ ok: true, value: longest });
    const over = { idempotencyKey: 'k'.repeat(IDEMPOTENCY_KEY_CHARS_MAX + 1), lines: [...fullCart, { productId: '', quantity: 1 }], deliveryOptionId: TOO_LONG_ID };
    const refused = validateOrderRequest(over);
    expect(refused.ok ? [] : refused.errors.map((e) => e.field)).toEqual([['idempotencyKey'], ['lines'], ['deliveryOptionId']]);
    const quote = validateQuoteInput({ lines: [{ productId: 'ramen', quantity: 1 }, { productId: '', quantity: 1 }], deliveryOptionId: null });
    expect(quote.ok ? [] : quote.errors.map((e) => e.field)).toEqual([['lines', '1', 'productId']]);
  });
});

interface RecordingProxy {
  url: string;
  /** The bodies of the calls to `path` that reached the proxy and contain `text`, in order. */
  bodies(path: string, text: string): string[];
  /** An HTTP status to answer a call with instead of forwarding it, or null to forward it. */
  fault: (path: string, body: string) => number | null;
  close(): Promise<void>;
}

/** A pass-through HTTP proxy in front of one replica that keeps every body it is sent. */
async function recordingProxy(targetUrl: string): Promise<RecordingProxy> {
  const calls: { path: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      calls.push({ path, body: body.toString('utf8') });
      const status = recording.fault(path, body.toString('utf8'));
      if (status !== null) {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `refused by the test proxy (${status})` }));
        return;
      }
      const upstream = request(`${targetUrl}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const recording: RecordingProxy = {
    url: `http://127.0.0.1:${port}`,
    bodies: (path, text) => calls.filter((c) => c.path === path && c.body.includes(text)).map((c) => c.body),
    fault: () => null,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return recording;
}
