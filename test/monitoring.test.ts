// What operators watch: /metrics series that move when work is done, request
// ids that follow a write through the logs, and a slow subscriber cut off
// before it can make the gateway hold unbounded memory.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TestCluster, waitFor } from './helpers/cluster.ts';
import { CANCEL_ORDER, PLACE_ORDER, newCustomer, placeOrder } from './helpers/shop.ts';
import { openSubscriptions, subscribe } from './helpers/subscribe.ts';

/** Prometheus text format as `name{labels}` -> value. */
async function scrape(url: string): Promise<Map<string, number>> {
  const response = await fetch(`${url}/metrics`);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const series = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    series.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return series;
}

const metric = (series: Map<string, number>, name: string) => series.get(name) ?? 0;

describe('monitoring', () => {
  let cluster: TestCluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('exposes the listed series in /metrics, with values that move when work is done', async () => {
    const running = (cluster = await TestCluster.start({ replicas: 3 }));
    const token = await newCustomer(running);
    const before = await scrape(running.gatewayUrl);
    for (const name of ['jh_view_epoch', 'jh_cluster_writable', 'jh_change_feed_seq', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) {
      expect(before.has(name), name).toBe(true);
    }
    expect(metric(before, 'jh_cluster_writable')).toBe(1);

    const stock = await subscribe('ws', running.gatewayUrl, 'subscription { stockChanged { id stock } }');
    await placeOrder(running, token, [{ productId: 'ramen', quantity: 1 }]);
    await placeOrder(running, token, [{ productId: 'no-such-dish', quantity: 1 }]);
    await stock.waitForEvents(1);

    const after = await scrape(running.gatewayUrl);
    const place = '{type="mutation",operation="Place"}';
    expect(metric(after, `jh_graphql_requests_total${place}`) - metric(before, `jh_graphql_requests_total${place}`)).toBe(2);
    expect(metric(after, `jh_graphql_request_duration_seconds_count${place}`)).toBe(metric(before, `jh_graphql_request_duration_seconds_count${place}`) + 2);
    expect(metric(after, 'jh_graphql_errors_total{operation="Place",kind="user",code="UNKNOWN_PRODUCT"}')).toBe(1);
    expect(metric(after, 'jh_change_feed_seq')).toBeGreaterThan(metric(before, 'jh_change_feed_seq'));
    expect(metric(after, 'jh_subscriptions_open{feed="stockChanged"}')).toBe(1);

    const primary = await running.primary();
    const moved = await waitFor('heartbeats with the round and the new seq', async () => {
      const series = await scrape(running.gatewayUrl);
      const seq = metric(series, `jh_replica_applied_seq{replica="${primary}",role="PRIMARY"}`);
      return seq >= metric(after, 'jh_change_feed_seq') && metric(series, `jh_replication_rounds{replica="${primary}"}`) > 0 ? series : null;
    });
    expect(metric(moved, `jh_replication_round_seconds_sum{replica="${primary}"}`)).toBeGreaterThan(0);
    for (const name of ['1', '2', '3']) expect(moved.has(`jh_replica_lag_entries{replica="${name}"}`), name).toBe(true);

    const primaryUrl = (await running.status()).cluster.replicas.find((r) => r.name === primary)?.url ?? '';
    const replicaSeries = await scrape(primaryUrl);
    expect(metric(replicaSeries, 'jh_replication_round_seconds_count')).toBeGreaterThan(0);
    expect(metric(replicaSeries, 'jh_replica_role{role="PRIMARY"}')).toBe(1);

    await stock.close();
    await running.kill(`replica ${primary}`);
    await running.waitForView(2);
    const failedOver = await scrape(running.gatewayUrl);
    // At least this one (a loaded machine may see a replica suspected besides).
    expect(metric(failedOver, 'jh_failovers_total')).toBeGreaterThanOrEqual(metric(after, 'jh_failovers_total') + 1);
    expect(metric(failedOver, 'jh_view_epoch')).toBeGreaterThan(metric(after, 'jh_view_epoch'));
    expect(metric(failedOver, 'jh_subscriptions_open{feed="stockChanged"}')).toBe(0);
  });

  it('logs one request id from the gateway to the primary and every backup', async () => {
    const debug = ['--log-level', 'debug'];
    const running = (cluster = await TestCluster.start({ replicas: 3, gatewayArgs: debug, replicaArgs: debug }));
    const token = await newCustomer(running);
    const response = await fetch(`${running.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: PLACE_ORDER, variables: { input: { idempotencyKey: 'trace-me', lines: [{ productId: 'brownie', quantity: 1 }], deliveryOptionId: 'standard' } } }),
    });
    const requestId = response.headers.get('x-request-id') ?? '';
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await response.json()) as { data: { placeOrder: { order: unknown } } }).data.placeOrder.order).toBeTruthy();

    const primary = await running.primary();
    const mentions = (label: string, message: string) =>
      (running.logs.get(label) ?? []).some((line) => line.includes(requestId) && line.includes(message) && JSON.parse(line).level <= 30);
    await waitFor('the request id in every log', () =>
      mentions('gateway', 'write sent') &&
      mentions(`replica ${primary}`, 'round committed') &&
      ['1', '2', '3'].filter((n) => n !== primary).every((n) => mentions(`replica ${n}`, 'applied')),
    );
  });

  it('cuts off a subscriber that stops reading, at its buffer limit, and lets it subscribe again', async () => {
    const bufferMax = 20;
    const running = (cluster = await TestCluster.start({ replicas: 2, gatewayArgs: ['--subscriber-buffer-max', String(bufferMax)] }));
    const heapBefore = metric(await scrape(running.gatewayUrl), 'nodejs_heap_size_used_bytes');

    // A client that subscribes 20 times on one socket, then stops reading it.
    const socket = new WebSocket(`${running.gatewayUrl.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const messages: { id?: string; type: string; payload?: unknown }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    await waitFor('connection_ack', () => messages.some((m) => m.type === 'connection_ack'));
    const query = 'subscription { stockChanged { id name description stock price { minorUnits currency formatted } } }';
    for (let id = 0; id < 20; id++) socket.send(JSON.stringify({ id: String(id), type: 'subscribe', payload: { query } }));
    await waitFor('20 subscriptions', async () => (await openSubscriptions(running.gatewayUrl, 'stockChanged')) === 20);
    socket.pause();

    // Each place-and-cancel changes ten products twice: 400 events for this socket.
    const token = await newCustomer(running);
    const everything = ['margherita', 'pad-thai', 'chicken-katsu', 'falafel-wrap', 'fish-chips', 'beef-burger', 'veggie-burrito', 'ramen', 'caesar-salad', 'brownie'];
    const cutOff = async () => metric(await scrape(running.gatewayUrl), 'jh_subscribers_cut_off_total') >= 20;
    const churn = async (worker: number) => {
      for (let round = 0; round < 200 && !(await cutOff()); round++) {
        const placed = await placeOrder(running, token, everything.map((productId) => ({ productId, quantity: 1 })), `slow-${worker}-${round}`);
        const orderId = placed.data?.placeOrder.order?.id;
        if (!orderId) throw new Error(JSON.stringify(placed));
        await running.gql(CANCEL_ORDER, { input: { orderId } }, token);
      }
    };
    await Promise.all([0, 1, 2].map(churn));
    expect(await cutOff()).toBe(true);
    expect(await openSubscriptions(running.gatewayUrl, 'stockChanged')).toBe(0);
    // What the gateway holds, not garbage it has yet to collect: the used heap counts both until a GC runs, and on
    // a busy machine one may not have run yet. Every scrape allocates, so polling lets it run; the bound stays.
    let heapAfter = Number.POSITIVE_INFINITY;
    await waitFor('the gateway heap within 64 MiB of where it started', async () => {
      heapAfter = metric(await scrape(running.gatewayUrl), 'nodejs_heap_size_used_bytes');
      return heapAfter - heapBefore < 64 * 1024 * 1024;
    }, 10_000, 200).catch(() => undefined);
    expect(heapAfter - heapBefore).toBeLessThan(64 * 1024 * 1024);

    // Reading again, the client gets what was sent before the cut, then the reason.
    socket.resume();
    await waitFor('an error for every subscription', () => messages.filter((m) => m.type === 'error').length === 20);
    expect(JSON.stringify(messages.find((m) => m.type === 'error'))).toContain('Subscriber too slow');
    socket.close();

    const again = await subscribe<{ id: string }>('ws', running.gatewayUrl, 'subscription { stockChanged { id } }');
    await placeOrder(running, token, [{ productId: 'ramen', quantity: 1 }]);
    await again.waitForEvents(1);
    await again.close();
  }, 120_000);
});
