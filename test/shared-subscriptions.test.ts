// One execution per topic: subscribers of the same subscription share one
// upstream stream and one result object per event (serialised once), each with
// its own bounded buffer; feeds that depend on who asks are shared only by the
// same viewer. The upstream here is a stand-in for graphql's subscribe, counted.
// And the paced stock feed a menu follows: the latest level, once an interval.
import { type ExecutionArgs, type ExecutionResult, parse } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { PacedStock, Topic, oneByOne } from '../server/feeds.ts';
import { SharedSubscriptions, isSharedResult, serialisedOnce } from '../server/shared-subscriptions.ts';

/** The kind of viewer these tests' keys stand for, as the gateway knows it from the token's form. */
const kindOf = (viewerKey: string) => (viewerKey === 'anonymous' ? 'anonymous' : viewerKey.startsWith('staff:') ? 'staff' : 'customer');

function harness(bufferMax = 100, everyStockChangePerClient = 0, everyStockChangeTotal = 0) {
  const sources: Topic<ExecutionResult>[] = [];
  let cutOff = 0;
  const shared = new SharedSubscriptions({ bufferMax, onCutOff: () => cutOff++, everyStockChangePerClient, everyStockChangeTotal });
  const plugin = shared.plugin() as { onSubscribe: (hook: { subscribeFn: unknown; setSubscribeFn: (fn: (args: ExecutionArgs) => unknown) => void }) => void };
  let subscribe: (args: ExecutionArgs) => unknown = () => undefined;
  plugin.onSubscribe({
    // What graphql's subscribe would do: one source stream per call (or an error result for a refused one).
    subscribeFn: (args: ExecutionArgs) => {
      if ((args.contextValue as { viewerKey: string }).viewerKey === 'refused') return { errors: [{ message: 'Sign in first' }] };
      const source = new Topic<ExecutionResult>({ bufferMax: Number.POSITIVE_INFINITY });
      sources.push(source);
      return source.subscribe();
    },
    setSubscribeFn: (fn) => (subscribe = fn),
  });
  const open = (query: string, viewerKey = 'anonymous', variableValues?: Record<string, unknown>, client = 'address:192.0.2.1') =>
    subscribe({ schema: undefined as never, document: parse(query), variableValues, contextValue: { viewerKey, viewerKind: kindOf(viewerKey), client } }) as Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
  return { shared, sources, open, cutOff: () => cutOff };
}

const STOCK = 'subscription { stockChanged { id stock } }';
const ORDERS = 'subscription { orderStatusChanged { id status } }';

describe('shared subscriptions', () => {
  it('opens one upstream for any number of subscribers to the same subscription, and sends each the same result object', async () => {
    const { shared, sources, open } = harness();
    const subscribers = (await Promise.all(Array.from({ length: 100 }, () => open(STOCK)))) as AsyncIterableIterator<ExecutionResult>[];
    expect(sources).toHaveLength(1);
    expect(shared.subscribers()).toMatchObject({ stockChanged: 100, orderStatusChanged: 0 });

    const event = { data: { stockChanged: { id: 'ramen', stock: 3 } } };
    sources[0]!.publish(event);
    const received = await Promise.all(subscribers.map((s) => s.next()));
    for (const r of received) expect(r.value).toBe(received[0]!.value);
    expect(isSharedResult(received[0]!.value)).toBe(true);
    expect(serialisedOnce(received[0]!.value)).toBe(JSON.stringify(event));
    // What yoga's SSE writer calls for each stream: the one JSON, made once.
    const { stringify } = received[0]!.value as unknown as { stringify: (r: unknown) => string };
    expect(stringify(received[0]!.value)).toBe(serialisedOnce(received[0]!.value));
    expect(Object.keys(received[0]!.value)).toEqual(['data']);

    // One leaving ends nothing for the others; the last one leaving ends the upstream.
    await subscribers[0]!.return?.();
    expect(shared.subscribers().stockChanged).toBe(99);
    expect(sources[0]!.size).toBe(1);
    await Promise.all(subscribers.slice(1).map((s) => s.return?.()));
    expect(sources[0]!.size).toBe(0);
    expect(shared.subscribers().stockChanged).toBe(0);
    // A newcomer after that opens a fresh upstream.
    await open(STOCK);
    expect(sources).toHaveLength(2);
  });

  it("shares a viewer's own feed only with the same viewer, and never keeps a refusal", async () => {
    const { sources, open } = harness();
    await Promise.all([open(ORDERS, 'token:a'), open(ORDERS, 'token:a'), open(ORDERS, 'token:b')]);
    expect(sources).toHaveLength(2);
    await Promise.all([open(STOCK, 'token:a'), open(STOCK, 'token:b'), open(STOCK)]);
    expect(sources).toHaveLength(3);
    expect(await open(ORDERS, 'refused')).toEqual({ errors: [{ message: 'Sign in first' }] });
    expect(await open(ORDERS, 'refused')).toEqual({ errors: [{ message: 'Sign in first' }] });
    expect(sources).toHaveLength(3);
  });

  it('gives each member of staff their own stream of the feeds everyone else shares: what an operator may see never reaches a customer', async () => {
    const { sources, open } = harness();
    const CLUSTER = 'subscription { clusterChanged { replicas { url } } }';
    await Promise.all([open(CLUSTER, 'staff:operator'), open(CLUSTER, 'staff:operator'), open(CLUSTER, 'token:a'), open(CLUSTER), open(CLUSTER, 'staff:kitchen')]);
    expect(sources).toHaveLength(3);
  });

  it('caps a client\'s subscriptions to every stock change, however they are written, and a refusal opens nothing', async () => {
    const { sources, open } = harness(100, 2);
    const first = (await open(STOCK)) as AsyncIterableIterator<ExecutionResult>;
    await open('subscription Other { ...S } fragment S on Subscription { stockChanged { id } }');
    expect(sources).toHaveLength(2);
    for (const [query, variables] of [
      ['subscription Third { ... on Subscription { stockChanged { id } } }', undefined],
      ['subscription Fourth($pace: Int) { stockChanged(atMostEveryMs: $pace) { id } }', { pace: null }],
      ['subscription Fifth { stockChanged(atMostEveryMs: null) { id } }', undefined],
    ] as const) {
      const refused = (await open(query, 'anonymous', variables)) as ExecutionResult;
      expect(refused.errors?.[0]?.message, query).toMatch(/Too many subscriptions to every stock change from you \(at most 2/);
    }
    expect(sources).toHaveLength(2);
    // Paced ones are not counted, and a place freed is a place to take.
    expect(Symbol.asyncIterator in (await open('subscription { stockChanged(atMostEveryMs: 1000) { id } }'))).toBe(true);
    await first.return?.();
    expect(Symbol.asyncIterator in (await open('subscription Sixth { stockChanged { id } }'))).toBe(true);
  });

  it('caps the subscriptions to every stock change from all clients together, and a refusal takes no client\'s place', async () => {
    const { open } = harness(100, 2, 3);
    const clients = ['address:192.0.2.1', 'address:192.0.2.2', 'customer:c1', 'customer:c2'];
    const held = [];
    for (const client of clients.slice(0, 3)) held.push((await open(STOCK, 'anonymous', undefined, client)) as AsyncIterableIterator<ExecutionResult>);
    const refused = (await open(STOCK, 'anonymous', undefined, clients[3])) as ExecutionResult;
    expect(refused.errors?.[0]?.message).toMatch(/This gateway sends every stock change to at most 3 subscribers at once, and has that many: follow stock paced, with stockLevels\(everyMs: ...\) or stockChanged\(atMostEveryMs/);
    expect(refused.errors?.[0]?.extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    // Paced stock is open to all; once one leaves, the refused client gets in, and still has both of its own places.
    expect(Symbol.asyncIterator in (await open('subscription { stockChanged(atMostEveryMs: 1000) { id } }', 'anonymous', undefined, clients[3]))).toBe(true);
    await held[0]!.return?.();
    expect(Symbol.asyncIterator in (await open(STOCK, 'anonymous', undefined, clients[3]))).toBe(true);
    expect((await open('subscription Again { stockChanged { id } }', 'anonymous', undefined, clients[3])) as ExecutionResult).toMatchObject({ errors: [{ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }] });
    await held[1]!.return?.();
    expect(Symbol.asyncIterator in (await open('subscription Again { stockChanged { id } }', 'anonymous', undefined, clients[3]))).toBe(true);
  });

  it('cuts off only the subscriber that stops reading, at its own buffer limit', async () => {
    const { shared, sources, open, cutOff } = harness(5);
    const [slow, quick] = (await Promise.all([open(STOCK), open(STOCK)])) as AsyncIterableIterator<ExecutionResult>[];
    for (let i = 0; i < 8; i++) {
      sources[0]!.publish({ data: { stockChanged: { id: 'ramen', stock: i } } });
      expect((await quick!.next()).value).toEqual({ data: { stockChanged: { id: 'ramen', stock: i } } });
    }
    expect(cutOff()).toBe(1);
    await expect(slow!.next()).rejects.toThrow(/Subscriber too slow: more than 5 events waiting/);
    expect(shared.subscribers().stockChanged).toBe(1);
  });
});

describe('paced stock', () => {
  it('sends paced batches one item at a time, and a subscriber who leaves while waiting for the next batch is gone at once', async () => {
    const batches = new Topic<string[]>({ bufferMax: Number.POSITIVE_INFINITY });
    const items = oneByOne(batches.subscribe());
    batches.publish(['a', 'b']);
    expect([await items.next(), await items.next()]).toEqual([{ value: 'a', done: false }, { value: 'b', done: false }]);
    const waiting = items.next();
    expect(batches.size).toBe(1);
    await items.return?.();
    expect(batches.size).toBe(0);
    expect(await waiting).toEqual({ value: undefined, done: true });
  });

  it('sends each product that changed once an interval, with its latest level, in one batch, and nothing when nothing changed', async () => {
    vi.useFakeTimers();
    try {
      const feed = new PacedStock(1000, () => undefined);
      const menu = feed.topic.subscribe();
      const seen: { id: string; stock: number }[] = [];
      const batches: number[] = [];
      void (async () => {
        for await (const batch of menu) {
          batches.push(batch.length);
          for (const p of batch) seen.push({ id: p.id, stock: p.stock });
        }
      })();
      const product = (id: string, stock: number) => ({ id, name: id, description: '', priceMinor: 100, stock });
      for (let stock = 9; stock >= 5; stock--) feed.offer(product('ramen', stock));
      feed.offer(product('gyoza', 3));
      await vi.advanceTimersByTimeAsync(999);
      expect(seen).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(seen).toEqual([{ id: 'ramen', stock: 5 }, { id: 'gyoza', stock: 3 }]);
      await vi.advanceTimersByTimeAsync(5000);
      expect(seen).toHaveLength(2);
      feed.offer(product('ramen', 4));
      await vi.advanceTimersByTimeAsync(1000);
      expect(seen.at(-1)).toEqual({ id: 'ramen', stock: 4 });
      expect(batches).toEqual([2, 1]);
      menu.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
