// Live feeds over both transports: what each subscriber sees, who may see it,
// and that it matches what was committed (in-process), also across a backup's
// death and a SIGKILL of the primary (processes).
import { createClient } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TestCluster, clusterForBlock, waitFor } from './helpers/cluster.ts';
import { InProcessCluster } from './helpers/in-process.ts';
import { CANCEL_ORDER, addStaff, allOrders, newCustomer, placeOrder, stockLevels } from './helpers/shop.ts';
import { type Feed, openSubscriptions, subscribe } from './helpers/subscribe.ts';

interface OrderEvent {
  id: string;
  status: string;
}
interface StockEvent {
  id: string;
  stock: number;
}
interface ReplicaEvent {
  replica: { name: string; role: string };
  previousRole: string | null;
  epoch: number;
  at: string;
}

const ORDER_STATUS = 'subscription { orderStatusChanged { id status total { minorUnits } } }';
const STOCK = 'subscription { stockChanged { id name stock price { minorUnits } } }';
const REPLICA_STATUS = 'subscription { replicaStatusChanged { replica { name role appliedSeq } previousRole epoch at } }';
const CLUSTER = 'subscription { clusterChanged { epoch writable primary { name } replicas { name role } } }';
const CLUSTER_INTERNALS = 'subscription { clusterChanged { replicas { url } } }';

const TRANSPORTS = ['ws', 'sse'] as const;

/** Feeds opened by a test, closed after it. */
const feeds: Feed<unknown>[] = [];
async function open<T>(...args: Parameters<typeof subscribe>): Promise<Feed<T>> {
  const opened = await subscribe<T>(...args);
  feeds.push(opened as Feed<unknown>);
  return opened;
}
afterEach(async () => {
  await Promise.all(feeds.splice(0).map((f) => f.close()));
});

// Who sees what: an in-process cluster, subscribed to over its real socket.
describe('subscriptions', () => {
  let cluster: InProcessCluster;
  clusterForBlock(() => InProcessCluster.start({ replicas: 3 }), (c) => (cluster = c));

  it.each(TRANSPORTS)("orderStatusChanged over %s: the viewer's orders on place and cancel, and no one else's", async (transport) => {
    const ada = await newCustomer(cluster);
    const bob = await newCustomer(cluster, { firstName: 'Bob' });
    const adaFeed = await open<OrderEvent>(transport, cluster.gatewayUrl, ORDER_STATUS, ada);
    const bobFeed = await open<OrderEvent>(transport, cluster.gatewayUrl, ORDER_STATUS, bob);

    const placed = await placeOrder(cluster, ada, [{ productId: 'ramen', quantity: 1 }]);
    const orderId = placed.data?.placeOrder.order.id as string;
    await cluster.gql(CANCEL_ORDER, { input: { orderId } }, ada);
    const bobs = await placeOrder(cluster, bob, [{ productId: 'margherita', quantity: 1 }]);

    expect(await adaFeed.waitForEvents(2)).toEqual([
      { id: orderId, status: 'PLACED', total: { minorUnits: placed.data?.placeOrder.order.total.minorUnits } },
      { id: orderId, status: 'CANCELLED', total: { minorUnits: placed.data?.placeOrder.order.total.minorUnits } },
    ]);
    await bobFeed.waitForEvents(1);
    expect(bobFeed.events.map((e) => e.id)).toEqual([bobs.data?.placeOrder.order.id]);
    expect(adaFeed.events).toHaveLength(2);
  });

  it.each(TRANSPORTS)('orderStatusChanged over %s needs a valid token', async (transport) => {
    for (const token of [undefined, 'jh_not-a-real-token']) {
      const anonymous = await open<OrderEvent>(transport, cluster.gatewayUrl, ORDER_STATUS, token);
      await waitFor('the refusal', () => anonymous.errors.length > 0);
      expect(JSON.stringify(anonymous.errors)).toContain('NOT_AUTHENTICATED');
      expect(anonymous.events).toEqual([]);
    }
  });

  it('takes the token over WebSockets under the spellings clients use, and says where it goes when it is missing', async () => {
    const token = await newCustomer(cluster);
    const spellings = [
      { authorization: `Bearer ${token}` },
      { Authorization: `Bearer ${token}` },
      { headers: { authorization: `Bearer ${token}` } },
      { headers: { Authorization: `Bearer ${token}` } },
      { authorization: token },
      { token },
      { authToken: token },
    ];
    const url = `${cluster.gatewayUrl.replace(/^http/, 'ws')}/graphql`;
    const follow = (connectionParams: Record<string, unknown>) => {
      const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams });
      const seen = { events: [] as { id: string }[], errors: [] as unknown[], client };
      client.subscribe<{ orderStatusChanged: { id: string } }>(
        { query: 'subscription { orderStatusChanged { id } }' },
        { next: (r) => (r.data ? seen.events.push(r.data.orderStatusChanged) : seen.errors.push(...(r.errors ?? []))), error: (e) => seen.errors.push(e), complete: () => undefined },
      );
      return seen;
    };
    const followers = spellings.map(follow);
    try {
      await waitFor('every follower subscribed', async () => (await openSubscriptions(cluster.gatewayUrl, 'orderStatusChanged')) >= spellings.length);
      const placed = await placeOrder(cluster, token, [{ productId: 'ramen', quantity: 1 }]);
      const orderId = placed.data?.placeOrder.order.id as string;
      await waitFor('the order on every follower', () => followers.every((f) => f.events.length === 1));
      for (const [i, follower] of followers.entries()) expect({ spelling: spellings[i], events: follower.events, errors: follower.errors }).toEqual({ spelling: spellings[i], events: [{ id: orderId }], errors: [] });
      // Over HTTP, a bare token in the Authorization header works too.
      expect((await cluster.graphql(JSON.stringify({ query: '{ viewer { id } }' }), { authorization: token }).then((r) => r.json())) as object).toMatchObject({ data: { viewer: { id: expect.any(String) } } });

      const missing = follow({});
      const unknown = follow({ authorization: 'Bearer jh_not-a-real-token' });
      followers.push(missing, unknown);
      await waitFor('both refused', () => missing.errors.length > 0 && unknown.errors.length > 0);
      expect(JSON.stringify(missing.errors)).toMatch(/over WebSockets in the connection_init payload, as \{\\"authorization\\": \\"Bearer <token>\\"\}/);
      expect(JSON.stringify(unknown.errors)).toMatch(/That token belongs to no customer/);
    } finally {
      await Promise.all(followers.map((f) => f.client.dispose()));
    }
  });

  it.each(TRANSPORTS)('stockLevels over %s: the dishes whose stock changed, each at its latest level, in one event an interval', async (transport) => {
    const token = await newCustomer(cluster);
    const levels = await open<StockEvent[]>(transport, cluster.gatewayUrl, 'subscription { stockLevels(everyMs: 1000) { id stock } }');
    // Within one interval: three changes of one dish and one of another.
    for (let i = 0; i < 3; i++) await placeOrder(cluster, token, [{ productId: 'brownie', quantity: 1 }]);
    await placeOrder(cluster, token, [{ productId: 'margherita', quantity: 1 }]);
    const [batch] = await levels.waitForEvents(1);
    const now = await stockLevels(cluster);
    // One event carries both dishes (orders that straddle an interval's end come in two).
    const seen = new Map(levels.events.flat().map((p) => [p.id, p.stock]));
    expect(seen).toEqual(new Map([['brownie', now.get('brownie')], ['margherita', now.get('margherita')]]));
    expect(batch!.length).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1200));
    expect(levels.events.length).toBeLessThanOrEqual(2);

    const refused = await open<StockEvent[]>(transport, cluster.gatewayUrl, 'subscription { stockLevels(everyMs: 100) { id } }');
    await waitFor('the refusal', () => refused.errors.length > 0);
    expect(JSON.stringify(refused.errors)).toMatch(/everyMs must be 250 to 60000/);
  });

  it.each(TRANSPORTS)('stockChanged(atMostEveryMs) over %s: the latest level of each dish that changed, at most once an interval', async (transport) => {
    const token = await newCustomer(cluster);
    const paced = await open<StockEvent>(transport, cluster.gatewayUrl, 'subscription { stockChanged(atMostEveryMs: 1000) { id stock } }');
    const every = await open<StockEvent>(transport, cluster.gatewayUrl, STOCK);
    for (let i = 0; i < 5; i++) await placeOrder(cluster, token, [{ productId: 'brownie', quantity: 1 }]);
    await every.waitForEvents(5);
    const [latest] = await paced.waitForEvents(1);
    expect(latest).toEqual({ id: 'brownie', stock: (await stockLevels(cluster)).get('brownie') });
    await new Promise((r) => setTimeout(r, 1200));
    expect(paced.events).toHaveLength(1);
    expect(every.events.filter((e) => e.id === 'brownie')).toHaveLength(5);

    const refused = await open<StockEvent>(transport, cluster.gatewayUrl, 'subscription { stockChanged(atMostEveryMs: 5) { id } }');
    await waitFor('the refusal', () => refused.errors.length > 0);
    expect(JSON.stringify(refused.errors)).toMatch(/atMostEveryMs must be 250 to 60000/);
  });

  it('sends every subscriber of a shared feed the same events in the same order, over both transports', async () => {
    const token = await newCustomer(cluster);
    const many = await Promise.all(Array.from({ length: 24 }, (_, i) => open<StockEvent>(i % 4 === 0 ? 'sse' : 'ws', cluster.gatewayUrl, STOCK)));
    await placeOrder(cluster, token, [{ productId: 'ramen', quantity: 1 }, { productId: 'brownie', quantity: 2 }]);
    await placeOrder(cluster, token, [{ productId: 'ramen', quantity: 1 }]);
    const first = await many[0]!.waitForEvents(3);
    for (const feed of many) expect(await feed.waitForEvents(3)).toEqual(first);
    // One leaving takes nothing from the others.
    await many[1]!.close();
    await placeOrder(cluster, token, [{ productId: 'ramen', quantity: 1 }]);
    for (const feed of many.filter((_, i) => i !== 1)) expect(await feed.waitForEvents(4)).toHaveLength(4);
  });

  it.each(TRANSPORTS)('stockChanged over %s: every product whose stock changes, with the new stock', async (transport) => {
    const token = await newCustomer(cluster);
    const stockFeed = await open<StockEvent>(transport, cluster.gatewayUrl, STOCK);
    await placeOrder(cluster, token, [
      { productId: 'ramen', quantity: 2 },
      { productId: 'pad-thai', quantity: 1 },
    ]);
    const events = await stockFeed.waitForEvents(2);
    const stock = await stockLevels(cluster);
    expect(events.map((e) => [e.id, e.stock]).sort()).toEqual([
      ['pad-thai', stock.get('pad-thai')],
      ['ramen', stock.get('ramen')],
    ]);
    expect(events[0]).toMatchObject({ name: expect.any(String), price: { minorUnits: expect.any(Number) } });
  });

});

// What a killed replica does to the feeds: processes.
describe('subscriptions across replica deaths', () => {
  let cluster: TestCluster;
  clusterForBlock(() => TestCluster.start({ replicas: 3 }), (c) => (cluster = c));

  let operator = '';
  let customer = '';

  it.each(TRANSPORTS)('replicaStatusChanged and clusterChanged over %s follow a backup going offline and coming back, the internals only for an operator', async (transport) => {
    operator ||= (await addStaff(cluster, 'Olu', 'operator')).token;
    customer ||= await newCustomer(cluster);
    const statusFeed = await open<ReplicaEvent>(transport, cluster.gatewayUrl, REPLICA_STATUS, operator);
    const clusterFeed = await open<{ epoch: number; replicas: { name: string; role: string }[] }>(transport, cluster.gatewayUrl, CLUSTER);
    // The same document from an operator and, after it, a customer: the operator's stream is theirs, never shared with the customer.
    const internals = await open<{ replicas: { url: string }[] }>(transport, cluster.gatewayUrl, CLUSTER_INTERNALS, operator);
    const peeking = await open<unknown>(transport, cluster.gatewayUrl, CLUSTER_INTERNALS, customer);
    const refused = await open<unknown>(transport, cluster.gatewayUrl, REPLICA_STATUS, customer);
    await waitFor('the refusal', () => refused.errors.length > 0);
    expect(JSON.stringify(refused.errors)).toContain('FORBIDDEN');
    expect(refused.events).toEqual([]);
    const primary = await cluster.primary();
    const backup = ['1', '2', '3'].find((n) => n !== primary) ?? '3';

    await cluster.kill(`replica ${backup}`);
    await waitFor('the backup reported offline', () => statusFeed.events.find((e) => e.replica.name === backup && e.replica.role === 'OFFLINE'));
    const offline = statusFeed.events.find((e) => e.replica.name === backup && e.replica.role === 'OFFLINE');
    expect(offline).toMatchObject({ previousRole: 'BACKUP', epoch: expect.any(Number), at: expect.stringMatching(/^\d{4}-/) });
    await waitFor('a cluster event without the backup', () =>
      clusterFeed.events.find((c) => c.replicas.some((r) => r.name === backup && r.role === 'OFFLINE')),
    );

    cluster.startReplica(backup);
    await waitFor('the backup back in the view', () => statusFeed.events.find((e) => e.replica.name === backup && e.replica.role === 'BACKUP'));
    const roles = statusFeed.events.filter((e) => e.replica.name === backup).map((e) => e.replica.role);
    expect(roles).toEqual(expect.arrayContaining(['OFFLINE', 'BACKUP']));
    expect(roles.indexOf('OFFLINE')).toBeLessThan(roles.lastIndexOf('BACKUP'));
    await waitFor('a cluster event with the backup back', () =>
      clusterFeed.events.at(-1)?.replicas.every((r) => r.role === 'PRIMARY' || r.role === 'BACKUP'),
    );
    await cluster.waitForView(3);
    await waitFor('the internals for the operator', () => internals.events.length > 0 && peeking.errors.length > 0);
    expect(internals.events.at(-1)?.replicas.map((r) => r.url)).toEqual(expect.arrayContaining([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/)]));
    expect(peeking.events).toEqual([]);
    expect(JSON.stringify(peeking.errors)).toContain('FORBIDDEN');
    expect(JSON.stringify(peeking.errors)).not.toContain('127.0.0.1');
  });

  it('delivers every committed change exactly once, in order, across a SIGKILL of the primary, to customers, the kitchen and stock followers', async () => {
    const customers = await Promise.all(Array.from({ length: 4 }, (_, i) => newCustomer(cluster, { firstName: `Kit${i}` })));
    const orderFeeds = await Promise.all(customers.map((token, i) => open<OrderEvent>(i % 2 ? 'sse' : 'ws', cluster.gatewayUrl, ORDER_STATUS, token)));
    const stockFeed = await open<StockEvent>('ws', cluster.gatewayUrl, STOCK);
    const kitchen = (await addStaff(cluster, 'Kit Chen', 'kitchen')).token;
    const boards = await Promise.all(TRANSPORTS.map((transport) => open<OrderEvent>(transport, cluster.gatewayUrl, 'subscription { staffOrderChanged { id status } }', kitchen)));
    const before = await stockLevels(cluster);

    let stop = false;
    let acknowledged = 0;
    // The kitchen accepts each order its board shows placed, through the failover: a move whose answer is lost is sent again with its key.
    const accepting = (async () => {
      for (let next = 0; !stop || next < (boards[0]?.events.length ?? 0); ) {
        const event = boards[0]?.events[next];
        if (!event) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          continue;
        }
        next++;
        if (event.status !== 'PLACED') continue;
        for (;;) {
          const moved = await cluster
            .gql('mutation ($input: MoveOrderInput!) { moveOrder(input: $input) { errors { code } } }', { input: { orderId: event.id, to: 'ACCEPTED', idempotencyKey: `accept ${event.id}` } }, kitchen)
            .catch(() => null);
          // An answer lost with the connection (UNKNOWN), or the cluster between primaries (in the payload, or as a
          // GraphQL error when even finding the member of staff had no primary to ask): sent again; anything else fails.
          const payload = moved?.data?.moveOrder as { errors: { code: string }[] } | undefined;
          const codes: unknown[] = moved === null ? ['UNKNOWN'] : payload ? payload.errors.map((e) => e.code) : (moved.errors ?? [{ message: 'no answer' }]).map((e) => e.extensions?.code);
          if (codes.length === 0) break;
          if (!codes.every((code) => code === 'SERVICE_UNAVAILABLE' || code === 'UNKNOWN')) throw new Error(`accept ${event.id}: ${JSON.stringify(moved)}`);
        }
      }
    })();
    const clients = Array.from({ length: 8 }, async (_, i) => {
      const token = customers[i % customers.length] ?? '';
      while (!stop) {
        const response = await placeOrder(cluster, token, [{ productId: 'brownie', quantity: 1 }]);
        const errors = response.errors ?? response.data?.placeOrder.errors ?? [];
        if (errors.length > 0 && !JSON.stringify(errors).includes('OUT_OF_STOCK')) throw new Error(JSON.stringify(errors));
        if (response.data?.placeOrder.order) acknowledged++;
        else stop = true;
      }
    });
    await waitFor('some orders', () => acknowledged >= 10);
    await cluster.kill(`replica ${await cluster.primary()}`);
    const atKill = acknowledged;
    await waitFor('orders after the failover', () => acknowledged >= atKill + 10, 30_000);
    stop = true;
    await Promise.all(clients);
    await accepting;

    const after = await stockLevels(cluster);
    const everyOrder: string[] = [];
    for (const [i, token] of customers.entries()) {
      const committed = (await allOrders(cluster, token)).reverse();
      everyOrder.push(...committed.map((o) => o.id));
      // Each order was placed and then accepted once, and the customer hears of both, once each, in that order.
      for (const order of committed) expect(order.status, order.id).toBe('ACCEPTED');
      const seen = orderFeeds[i];
      await waitFor(`customer ${i}'s events`, () => (seen && seen.events.length >= 2 * committed.length ? true : null));
      expect(seen?.events.filter((e) => e.status === 'PLACED').map((e) => e.id)).toEqual(committed.map((o) => o.id));
      for (const order of committed) expect(seen?.events.filter((e) => e.id === order.id).map((e) => e.status), order.id).toEqual(['PLACED', 'ACCEPTED']);
      expect(seen?.events).toHaveLength(2 * committed.length);
    }
    // Both boards saw every order's placing and its acceptance, once each and in order, whatever the transport.
    for (const board of boards) {
      await waitFor('the board\'s events', () => (board.events.length >= 2 * everyOrder.length ? true : null));
      expect(board.events).toHaveLength(2 * everyOrder.length);
      for (const id of everyOrder) expect(board.events.filter((e) => e.id === id).map((e) => e.status), id).toEqual(['PLACED', 'ACCEPTED']);
    }
    const sold = (before.get('brownie') ?? 0) - (after.get('brownie') ?? 0);
    await waitFor('every stock event', () => (stockFeed.events.length >= sold ? true : null));
    const levels = stockFeed.events.filter((e) => e.id === 'brownie').map((e) => e.stock);
    const expected = Array.from({ length: sold }, (_, k) => (before.get('brownie') ?? 0) - 1 - k);
    expect(levels).toEqual(expected);
    await cluster.waitForView(2);
  }, 90_000);
});
