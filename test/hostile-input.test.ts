// Hostile and careless input: GraphQL requests over the caps, CSRF, the
// introspection switch and the mutation rate limit, then random and malformed
// input (fast-check) thrown at every mutation and at the cluster's internal
// endpoints. Every refusal is a clear error, no process dies, and nothing a
// refused request carried reaches the replicas' state. In-process: GraphQL
// through yoga's `fetch`, and over a socket only what the socket's own
// handler caps (body and header sizes) and the internal endpoints.
import fc from 'fast-check';
import { request } from 'node:http';
import { getIntrospectionQuery } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../replicas/domain/types.ts';
import { GRAPHQL_LIMITS } from '../server/guards.ts';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type GraphQLResponse, SECRET, clusterForBlock, waitFor } from './helpers/cluster.ts';
import { InProcessCluster } from './helpers/in-process.ts';
import { openSubscriptions } from './helpers/subscribe.ts';
import { CANCEL_ORDER, DETAILS, PLACE_ORDER, SAVE_DETAILS, newCustomer } from './helpers/shop.ts';

let cluster: InProcessCluster;
clusterForBlock(() => InProcessCluster.start({ replicas: 2 }), (c) => (cluster = c));

/** A POST to /graphql through yoga's `fetch`, or over the gateway's socket. */
async function post(body: string, headers: Record<string, string> = {}, over: 'yoga' | 'socket' = 'yoga') {
  const response = over === 'yoga'
    ? await cluster.graphql(body, headers)
    : await fetch(`${cluster.gatewayUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, body: (await response.json()) as GraphQLResponse & GraphQLResponse[] };
}

/** The one error a refused request gets, checked for a clear message and no internals. */
function refusal(body: GraphQLResponse): string {
  expect(body.data ?? null).toBeNull();
  expect(body.errors).toHaveLength(1);
  const message = body.errors![0]!.message;
  expect(message).not.toMatch(/\n\s+at /);
  return message;
}

/** One state hash for the whole cluster, once every replica has the same one. */
async function stateHash(): Promise<string> {
  return (await cluster.waitForConvergence(2)).stateHash;
}

describe('GraphQL caps', () => {
  it('lets GraphiQL\'s introspection query through', async () => {
    const { status, body } = await post(JSON.stringify({ query: getIntrospectionQuery() }));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.__schema.queryType.name).toBe('Query');
  });

  it('refuses a body over the size cap and an oversized Authorization header before parsing them', async () => {
    const big = await post(JSON.stringify({ query: '{ products { id } }', variables: { padding: 'x'.repeat(GRAPHQL_LIMITS.bodyBytes) } }), {}, 'socket');
    expect(big.status).toBe(413);
    expect(big.body.errors?.[0]?.extensions?.code).toBe('REQUEST_TOO_LARGE');
    const header = await post(JSON.stringify({ query: '{ viewer { id } }' }), { authorization: `Bearer ${'t'.repeat(GRAPHQL_LIMITS.authorizationChars)}` }, 'socket');
    expect(header.status).toBe(431);
    expect(refusal(header.body)).toMatch(/Authorization/);
  });

  it('asks for a Content-Length rather than read a body of unknown size', async () => {
    const { status, body } = await new Promise<{ status: number; body: GraphQLResponse }>((resolve, reject) => {
      const req = request(`${cluster.gatewayUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as GraphQLResponse }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ query: '{ products { id } }' }));
    });
    expect(status).toBe(411);
    expect(body.errors?.[0]?.extensions?.code).toBe('LENGTH_REQUIRED');
  });

  it('refuses a GET a browser could send cross-site unless it carries the CSRF header', async () => {
    const query = `?query=${encodeURIComponent('{ products { id } }')}`;
    const bare = await cluster.graphql(null, {}, query);
    expect(bare.status).toBe(403);
    const marked = await cluster.graphql(null, { 'x-graphql-yoga-csrf': '1' }, query);
    expect(marked.status).toBe(200);
    expect(((await marked.json()) as GraphQLResponse).data?.products.length).toBeGreaterThan(0);
  });
});

describe('cross-origin calls (CORS)', () => {
  const from = (origin: string) => cluster.graphql(JSON.stringify({ query: '{ products { id } }' }), { origin });

  it("allows the gateway's own pages, with credentials", async () => {
    const response = await from(cluster.gatewayUrl);
    expect(response.headers.get('access-control-allow-origin')).toBe(cluster.gatewayUrl);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('gives any other origin no CORS headers, so a browser keeps the answer from its page', async () => {
    const response = await from('https://evil.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    const preflight = await cluster.request({ method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const ours = await cluster.request({ method: 'OPTIONS', headers: { origin: cluster.gatewayUrl, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(ours.headers.get('access-control-allow-origin')).toBe(cluster.gatewayUrl);
  });
});

describe('production settings, a CORS list and the mutation rate limit', () => {
  let strict: InProcessCluster;
  clusterForBlock(() => InProcessCluster.start({ replicas: 2, gateway: { production: true, corsOrigins: ['https://shop.example'], mutationRateLimit: 5 } }), (c) => (strict = c));

  it('refuses introspection and serves no GraphiQL with --production, and answers ordinary queries', async () => {
    const response = await strict.gql('{ __schema { types { name } } }');
    expect(response.data ?? null).toBeNull();
    expect(response.errors?.[0]?.message).toMatch(/introspection/i);
    expect((await strict.gql('{ products { id } }')).data?.products.length).toBeGreaterThan(0);
    const page = await strict.graphql(null, { accept: 'text/html' });
    expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
    const dev = await cluster.graphql(null, { accept: 'text/html' });
    expect(dev.headers.get('content-type')).toContain('text/html');
  });

  it('allows the listed origins', async () => {
    const response = await strict.graphql(JSON.stringify({ query: '{ products { id } }' }), { origin: 'https://shop.example' });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const other = await strict.graphql(JSON.stringify({ query: '{ products { id } }' }), { origin: 'https://evil.example' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a customer\'s mutations past the limit with RATE_LIMITED, and the refused ones take no stock', async () => {
    const token = await newCustomer(strict);
    const other = await newCustomer(strict);
    await new Promise((r) => setTimeout(r, 1100)); // a fresh second for both customers' allowance
    const stockBefore = await ramenStock(strict);
    const place = (who: string, i: number) =>
      strict.gql(PLACE_ORDER, { input: { idempotencyKey: `burst-${who === token ? 'a' : 'b'}-${i}`, deliveryOptionId: 'standard', lines: [{ productId: 'ramen', quantity: 1 }] } }, who);
    const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => place(token, i)));
    const codes = burst.map((r) => r.data?.placeOrder.errors[0]?.code ?? (r.data?.placeOrder.order ? 'OK' : JSON.stringify(r)));
    const placed = codes.filter((c) => c === 'OK').length;
    expect(placed).toBeGreaterThan(0);
    expect(placed).toBeLessThanOrEqual(5);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(12 - placed);
    expect(burst.find((r) => r.data?.placeOrder.errors[0]?.code === 'RATE_LIMITED')?.data?.placeOrder.errors[0]?.message).toMatch(/try again in \d+ s/);

    // Another customer is not held back by the first one's burst.
    expect((await place(other, 0)).data?.placeOrder.order?.id).toBeTruthy();
    expect(await ramenStock(strict)).toBe(stockBefore - placed - 1);
  });
});

describe('limits on reads and live connections', () => {
  const LIMITS = { queryRateLimit: 20, connectionsPerAddress: 3, subscriptionsPerConnection: 2, everyStockChangePerClient: 2 };
  let limited: InProcessCluster;
  clusterForBlock(() => InProcessCluster.start({ replicas: 2, gateway: LIMITS }), (c) => (limited = c));
  const freshSecond = () => new Promise((r) => setTimeout(r, 1100));

  it('weighs queries by what they cost and refuses a client over its budget with HTTP 429, a code and Retry-After', async () => {
    await freshSecond();
    // Four reads of the cluster (5 points each) fill the 20-point budget; the fifth is refused.
    for (let i = 0; i < 4; i++) expect((await limited.gql('{ products { id } }')).data?.products.length).toBeGreaterThan(0);
    const refused = await limited.graphql(JSON.stringify({ query: '{ products { id } }' }));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as GraphQLResponse;
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/Too many queries.*try again in \d+ s/), extensions: { code: 'RATE_LIMITED' } });

    // A query heavier than a whole second's budget could never be answered: refused at once, saying so. A
    // customer's orders are a read of their own, below the root as well.
    const heavy = await limited.graphql(JSON.stringify({ query: '{ viewer { a: orders { totalCount } b: orders { totalCount } c: orders { totalCount } d: orders { totalCount } } }' }));
    expect(heavy.status).toBe(400);
    expect(((await heavy.json()) as GraphQLResponse).errors?.[0]).toMatchObject({ message: expect.stringMatching(/weighs 25 points, more than the 20/), extensions: { code: 'QUERY_TOO_HEAVY' } });

    // Wrong tokens are no way round it: they count against the address too, and cost the replicas no lookup.
    const wrong = await limited.graphql(JSON.stringify({ query: '{ viewer { id } }' }), { authorization: 'Bearer jh_wrong-token-1' });
    expect(wrong.status).toBe(429);
    // A customer who has just signed up has a budget of their own, whatever their address has spent.
    const token = await newCustomer(limited);
    expect((await limited.gql('{ viewer { id } }', {}, token)).data?.viewer.id).toBeTruthy();
    // A cheap read weighs less: after a fresh second, twenty cluster views fit where four reads did.
    await freshSecond();
    const cheap = await Promise.all(Array.from({ length: 20 }, () => limited.graphql(JSON.stringify({ query: '{ cluster { epoch } }' }))));
    expect(cheap.map((r) => r.status)).toEqual(Array(20).fill(200));
  });

  it('never lets a client read more than its budget in a second, whatever it asks, and a refusal reads and changes nothing', async () => {
    const queries = fc.constantFrom(
      { query: '{ cluster { epoch } }', weight: 1 },
      { query: '{ products { id } }', weight: 5 },
      { query: '{ a: products { id } b: deliveryOptions { id } }', weight: 10 },
      { query: '{ viewer { id } cluster { writable } }', weight: 6 },
      { query: 'query Q { ...F } fragment F on Query { products { id } cluster { epoch } }', weight: 6 },
    );
    const before = (await limited.waitForConvergence(2)).stateHash;
    await fc.assert(
      fc.asyncProperty(fc.array(queries, { minLength: 1, maxLength: 12 }), async (burst) => {
        await freshSecond();
        const started = Date.now();
        const answers = [];
        for (const { query } of burst) answers.push(await limited.graphql(JSON.stringify({ query }), { authorization: 'Bearer jh_not-a-customer' }));
        fc.pre(Date.now() - started < 900); // all in one second of the limiter's
        let spent = 0;
        for (const [i, answer] of answers.entries()) {
          const body = (await answer.json()) as GraphQLResponse;
          if (answer.status === 200) spent += burst[i]!.weight;
          else {
            expect(answer.status).toBe(429);
            expect(body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
            expect(body.data ?? null).toBeNull();
          }
        }
        expect(spent).toBeLessThanOrEqual(LIMITS.queryRateLimit);
        // The first query of a fresh second always fits.
        expect(answers[0]!.status).toBe(200);
      }),
      { numRuns: 5 },
    );
    expect((await limited.waitForConvergence(2)).stateHash).toBe(before);
  }, 60_000);

  it('closes a WebSocket over the per-address cap at once, saying why, and refuses an SSE stream over it with 429', async () => {
    const url = `${limited.gatewayUrl.replace(/^http/, 'ws')}/graphql`;
    const open = (): Promise<WebSocket> =>
      new Promise((resolve, reject) => {
        const socket = new WebSocket(url, 'graphql-transport-ws');
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      });
    const sockets = [await open(), await open(), await open()];
    try {
      const fourth = await open();
      const [code, reason] = await new Promise<[number, string]>((resolve) => fourth.once('close', (c, r) => resolve([c, String(r)])));
      expect(code).toBe(1008);
      expect(reason).toMatch(/Too many live connections from your address \(at most 3/);
      const sse = await fetch(`${limited.gatewayUrl}/graphql`, {
        method: 'POST', headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'subscription { stockChanged { id } }' }),
      });
      // Refused with 429; the reason comes as the stream's one event (yoga answers a subscription over SSE so).
      expect(sse.status).toBe(429);
      expect(await sse.text()).toMatch(/TOO_MANY_CONNECTIONS.*|Too many live connections/);
      // An SSE stream asked for without saying so (no Accept header: yoga streams it all the same) is counted too.
      const bare = await fetch(`${limited.gatewayUrl}/graphql`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'subscription { stockChanged(atMostEveryMs: 1000) { id } }' }),
      });
      expect(bare.status).toBe(429);
      expect(await bare.text()).toMatch(/Too many live connections from your address/);
    } finally {
      for (const socket of sockets) socket.close();
    }
    // Closing one frees its place.
    await waitFor('a place to free up', async () => {
      const again = await open();
      const closed = await Promise.race([new Promise<boolean>((r) => again.once('close', () => r(true))), new Promise<boolean>((r) => setTimeout(() => r(false), 200))]);
      again.close();
      return !closed;
    });
  });

  it('lets a client follow every stock change only so many times at once, and paced stock as often as it likes', async () => {
    const url = `${limited.gatewayUrl.replace(/^http/, 'ws')}/graphql`;
    const [a, b] = [0, 1].map(() => createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0 }));
    try {
      const follow = (client: ReturnType<typeof createClient>, query: string) => {
        const state = { errors: [] as unknown[], stop: () => undefined as void };
        // A refusal comes as a result with errors (then complete), or as an error message.
        state.stop = client.subscribe({ query }, { next: (r) => void (r.errors && state.errors.push(...r.errors)), error: (e) => state.errors.push(e), complete: () => undefined });
        return state;
      };
      const every = 'subscription { stockChanged { id stock } }';
      const first = [follow(a!, every), follow(a!, every)];
      await waitFor('two subscribers of every change', async () => (await openSubscriptions(limited.gatewayUrl, 'stockChanged')) === 2);
      const third = follow(b!, every);
      await waitFor('the third refused', () => third.errors.length > 0);
      expect(JSON.stringify(third.errors)).toMatch(/Too many subscriptions to every stock change from you \(at most 2.*atMostEveryMs/);
      const paced = follow(b!, 'subscription { stockChanged(atMostEveryMs: 1000) { id stock } }');
      await waitFor('the paced one open', async () => (await openSubscriptions(limited.gatewayUrl, 'stockChanged')) === 3);
      expect(paced.errors).toEqual([]);
      for (const f of first) f.stop();
      paced.stop();
      await waitFor('all closed', async () => (await openSubscriptions(limited.gatewayUrl, 'stockChanged')) === 0);
      // Its places are free again.
      const again = follow(b!, every);
      await waitFor('a subscriber of every change again', async () => (await openSubscriptions(limited.gatewayUrl, 'stockChanged')) === 1);
      expect(again.errors).toEqual([]);
      again.stop();
    } finally {
      await Promise.all([a!.dispose(), b!.dispose()]);
    }
  });

  it('refuses a subscription over the per-connection cap with a clear error, and keeps the others', async () => {
    const client = createClient({ url: `${limited.gatewayUrl.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const errors: unknown[] = [];
      const stops = [0, 1, 2].map(() => client.subscribe({ query: 'subscription { stockChanged { id } }' }, { next: () => undefined, error: (e) => errors.push(e), complete: () => undefined }));
      await waitFor('the third subscription refused', () => errors.length > 0);
      expect(JSON.stringify(errors)).toMatch(/Too many subscriptions on this connection \(at most 2/);
      expect(errors).toHaveLength(1);
      for (const stop of stops) stop();
    } finally {
      await client.dispose();
    }
  });
});

async function ramenStock(on: InProcessCluster): Promise<number> {
  const response = await on.gql<{ products: { id: string; stock: number }[] }>('{ products { id stock } }');
  return response.data!.products.find((p) => p.id === 'ramen')!.stock;
}

// Random input ---------------------------------------------------------------

const CODES = new Set<string>(ERROR_CODES);

/** Strings a careless or hostile client might send: empty, huge, control characters, injection, unicode. */
const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '\n\t', "'; DROP TABLE orders; --", '<script>alert(1)</script>', '🍜'.repeat(50), 'SW1A 1AA', '020 7946 0018', 'x'.repeat(5000)),
);
const nastyInt = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2 ** 31 - 1, -(2 ** 31)), fc.double(), fc.constant(2 ** 53));
const nastyValue = fc.oneof(nastyString, nastyInt, fc.constant(null), fc.boolean(), fc.jsonValue({ maxDepth: 2 }));

/**
 * Sends a mutation and checks the answer is a clear one: either GraphQL
 * errors (bad variables) or the payload, whose errors carry known codes.
 * Returns whether the mutation was refused.
 */
async function sendChecked(query: string, variables: Record<string, unknown>, token?: string): Promise<boolean> {
  const response = await cluster.gql(query, variables, token);
  const text = JSON.stringify(response);
  expect(text).not.toMatch(/\n\s+at |stacktrace|originalError/i);
  if (response.errors) {
    expect(response.data ?? null).toBeNull();
    for (const error of response.errors) expect(error.message.length).toBeGreaterThan(0);
    return true;
  }
  const payload = Object.values(response.data!)[0] as { errors: { code: string; message: string }[] };
  for (const error of payload.errors) {
    expect(CODES.has(error.code), error.code).toBe(true);
    expect(error.message.length).toBeGreaterThan(0);
  }
  return payload.errors.length > 0;
}

describe('random input to every mutation', () => {
  let token: string;
  beforeAll(async () => {
    token = await newCustomer(cluster);
  });

  it('saveContactDetails: clear errors, and a refusal changes nothing', async () => {
    const details = fc.record({
      firstName: fc.oneof(nastyString, fc.constant(DETAILS.firstName)),
      lastName: fc.oneof(nastyString, fc.constant(DETAILS.lastName)),
      phone: fc.oneof(nastyString, fc.constant(DETAILS.phone)),
      postcode: fc.oneof(nastyString, fc.constant(DETAILS.postcode)),
      address: fc.oneof(nastyString, fc.constant(DETAILS.address)),
      idempotencyKey: fc.oneof(fc.constant(undefined), fc.uuid(), nastyString),
    });
    const input = fc.oneof(details, fc.dictionary(fc.string({ maxLength: 10 }), nastyValue, { maxKeys: 6 }), nastyValue);
    await fc.assert(
      fc.asyncProperty(input, fc.boolean(), async (value, signedIn) => {
        const before = await stateHash();
        const refused = await sendChecked(SAVE_DETAILS, { input: value }, signedIn ? token : undefined);
        if (refused) expect(await stateHash()).toBe(before);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('placeOrder: clear errors, and a refusal takes no stock and changes nothing', async () => {
    const line = fc.record({ productId: fc.oneof(fc.constantFrom('ramen', 'gyoza', 'nope'), nastyString), quantity: nastyInt }, { requiredKeys: [] });
    const input = fc.oneof(
      fc.record({
        idempotencyKey: fc.oneof(fc.uuid(), nastyString),
        deliveryOptionId: fc.oneof(fc.constantFrom('standard', 'express', 'collect'), nastyString),
        lines: fc.oneof(fc.array(line, { maxLength: 4 }), nastyValue),
        tipMinorUnits: fc.oneof(nastyInt, fc.constant(undefined)),
      }, { requiredKeys: [] }),
      nastyValue,
    );
    await fc.assert(
      fc.asyncProperty(input, fc.boolean(), async (value, signedIn) => {
        const before = await stateHash();
        const refused = await sendChecked(PLACE_ORDER, { input: value }, signedIn ? token : undefined);
        if (refused) expect(await stateHash()).toBe(before);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('cancelOrder: clear errors, and a refusal changes nothing', async () => {
    const input = fc.oneof(fc.record({ orderId: fc.oneof(nastyString, fc.uuid(), nastyInt), idempotencyKey: fc.oneof(fc.uuid(), nastyString, nastyValue) }, { requiredKeys: [] }), nastyValue);
    await fc.assert(
      fc.asyncProperty(input, fc.boolean(), async (value, signedIn) => {
        const before = await stateHash();
        const refused = await sendChecked(CANCEL_ORDER, { input: value }, signedIn ? token : undefined);
        expect(refused).toBe(true); // none of these names an order of this customer
        expect(await stateHash()).toBe(before);
      }),
      { numRuns: 30 },
    );
  }, 120_000);

  it('stores any name it accepts exactly as it echoed it, and refuses only control characters and unpaired surrogates', async () => {
    const anyText = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }), fc.string({ minLength: 1, maxLength: 30 }));
    await fc.assert(
      fc.asyncProperty(anyText, async (name) => {
        const saved = await cluster.gql(SAVE_DETAILS, { input: { ...DETAILS, lastName: name } });
        const payload = saved.data?.saveContactDetails;
        // Surrounding white space (tabs and line breaks too) is trimmed; what is left is refused if it holds a control character or a lone surrogate.
        const expected = name.trim().normalize('NFC');
        if (/\p{Cc}|\p{Cs}/u.test(expected) || expected.length === 0) {
          expect(payload.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['lastName'] })]);
          return;
        }
        expect(payload.errors).toEqual([]);
        expect(payload.customer.lastName).toBe(expected);
        const stored = await cluster.gql('{ viewer { lastName } }', {}, payload.token);
        expect(stored.data?.viewer.lastName).toBe(expected);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('the gateway is still up and takes a good order afterwards', async () => {
    expect((await fetch(`${cluster.gatewayUrl}/healthz`)).ok).toBe(true);
    const response = await cluster.gql(PLACE_ORDER, { input: { idempotencyKey: 'after-the-storm', deliveryOptionId: 'standard', lines: [{ productId: 'ramen', quantity: 1 }] } }, token);
    expect(response.data?.placeOrder.order?.id).toBeTruthy();
  });
});

describe('random input to the cluster\'s internal endpoints', () => {
  const replicaPaths = ['/write-batch', '/read', '/replicate', '/snapshot', '/catchup', '/feed', '/join', '/view'];
  const viewPaths = ['/cluster/heartbeat', '/cluster/report', '/cluster/add-backup'];
  const secrets = fc.constantFrom<string | undefined>(undefined, 'wrong-secret-wrong-secret-1234', SECRET);
  const body = fc.oneof(fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), fc.string({ maxLength: 200 }), fc.constantFrom('', '{', '[]', 'null', '{"epoch":'));

  async function internal(url: string, text: string, secret: string | undefined): Promise<number> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret !== undefined) headers['x-jh-cluster-secret'] = secret;
    const response = await fetch(url, { method: 'POST', headers, body: text });
    const answer = await response.text();
    expect(answer).not.toMatch(/\n\s+at /);
    return response.status;
  }

  it('refuses junk with a 4xx, whatever the secret, and nothing changes', async () => {
    const { cluster: info } = await cluster.status();
    const urls = [...info.replicas.flatMap((r) => replicaPaths.map((p) => r.url + p)), ...viewPaths.map((p) => cluster.gatewayUrl + p)];
    const before = await stateHash();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...urls), body, secrets, async (url, text, secret) => {
        const status = await internal(url, text, secret);
        if (secret !== SECRET) expect(status).toBe(401);
        else expect(status, `${url} ${text}`).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    expect(await stateHash()).toBe(before);
    expect((await cluster.status()).cluster.writable).toBe(true);
  }, 120_000);

  it('refuses stale-epoch and oversized calls with the secret, and nothing changes', async () => {
    const { cluster: info, view } = await cluster.status();
    const primary = info.replicas.find((r) => r.name === view.primary)!;
    const backup = info.replicas.find((r) => r.name !== view.primary)!;
    const before = await stateHash();
    const stale = view.epoch - 1;
    const write = await fetch(`${primary.url}/write-batch`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-jh-cluster-secret': SECRET },
      body: JSON.stringify({ requests: [{ epoch: stale, requestId: 'stale-1', command: { type: 'cancelOrder', customerId: 'c', orderId: 'o' } }] }),
    });
    expect(await write.json()).toMatchObject({ answers: [{ ok: false }] });
    const shipped = await fetch(`${backup.url}/replicate`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-jh-cluster-secret': SECRET },
      body: JSON.stringify({ epoch: stale, primary: view.primary, after: { seq: 0, hash: '0'.repeat(64) }, entries: [], committedSeq: 0 }),
    });
    expect(await shipped.json()).toMatchObject({ ok: false, code: 'STALE_EPOCH' });
    const huge = await fetch(`${backup.url}/replicate`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-jh-cluster-secret': SECRET }, body: 'x'.repeat(5 * 1024 * 1024),
    }).catch(() => null); // the replica may close the connection as soon as it has refused the upload
    if (huge) expect(huge.status).toBe(413);
    expect(await stateHash()).toBe(before);
    for (const replica of info.replicas) expect((await fetch(`${replica.url}/healthz`)).ok).toBe(true);
  });
});
