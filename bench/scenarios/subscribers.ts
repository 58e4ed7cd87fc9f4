// Subscribers at scale: 10,000 `stockChanged` subscribers on one gateway
// (WebSockets from a worker thread of this process, 20 subscriptions each), then orders placed
// one at a time: for each, the time from the order's acknowledgement (its
// commit) to the moment the last subscriber has its event, and the gateway's
// memory beside the same gateway with no subscribers. Then what subscribers
// cost orders: write throughput with 2,000 subscribers (of every change, and
// paced as the web app's menu subscribes), and with as many subscribers of
// every change as a gateway serves by default (--every-stock-change-total),
// against the same load with none, measured in one run, counted until every
// subscriber has had every event.
import { Worker } from 'node:worker_threads';
import { BenchCluster, sleep, waitFor } from '../cluster.ts';
import { runLoad, percentile } from '../load.ts';
import { EVERY_STOCK_CHANGE_TOTAL } from '../../server/defaults.ts';
import type { Plan } from '../plan.ts';
import { makeCustomers, placeOneOrder, placeOrders } from '../workload.ts';

const PER_CONNECTION = 20;
const STOCK = 'subscription { stockChanged { id name stock price { minorUnits formatted } } }';
/** What the web app's menu follows: the dishes whose level changed, in one event at most once a second. */
const PACED_STOCK = 'subscription { stockLevels(everyMs: 1000) { id stock } }';

type Feed = 'every change' | 'every change, at the gateway\'s cap' | 'stockLevels each second (as the web app)';

export interface ThroughputRow {
  subscribers: number;
  feed: Feed;
  /** Orders committed per second from the start of the load until the last subscriber had its last event. */
  ordersPerSec: number;
  p99Ms: number;
  eventsEach: number;
  deliverySeconds: number;
  /** The same load with no subscribers, just before: a shared machine drifts, so each row has its own baseline. */
  baselineOrdersPerSec: number;
  /** Orders per second lost to the subscribers (1 - with / without). */
  cost: number;
  /** Rounds measured (none, then with them, back to back); the row is the round of median cost. */
  rounds?: number;
  /** Subscribers cut off as too slow during the load (in every round), and still open after it. */
  cutOff: number;
  stillOpen: number;
}

export interface SubscribersResult {
  subscribers: number;
  connections: number;
  orders: number;
  /** From an order's acknowledgement to the last subscriber's delivery of its stock event (negative: delivered before the ack arrived). */
  lastDeliveryP50Ms: number;
  lastDeliveryP99Ms: number;
  /** The order's own round trip, for scale. */
  orderP50Ms: number;
  gatewayRssIdleMb: number;
  gatewayRssSubscribedMb: number;
  /** With no subscribers, with subscribers of every change, and with paced ones (as the web app subscribes). */
  throughput: ThroughputRow[];
}

/**
 * `connections` sockets of `perConnection` subscriptions each, in a worker
 * thread (bench/subscriber-worker.ts); `received()` asks it how many `next`
 * messages have come.
 */
async function openSubscribers(gatewayUrl: string, connections: number, perConnection: number, query = STOCK) {
  // The worker is TypeScript too: it registers tsx's loader (as the benchmark runs under tsx), then loads it.
  const script = new URL('../subscriber-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(script)}); })`;
  const worker = new Worker(bootstrap, {
    eval: true,
    workerData: { url: `${gatewayUrl.replace(/^http/, 'ws')}/graphql`, connections, perConnection, query },
  });
  const replies: ((message: Record<string, unknown>) => void)[] = [];
  const ask = (question: 'count' | 'close') =>
    new Promise<Record<string, unknown>>((resolve) => {
      replies.push(resolve);
      worker.postMessage(question);
    });
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (message: Record<string, unknown>) => {
      if (message.opened) resolve();
      else if (message.failed) reject(new Error(`subscribers could not connect: ${String(message.failed)}`));
      else replies.shift()?.(message);
    });
    worker.once('error', reject);
  });
  return {
    received: async () => Number((await ask('count')).received),
    close: async () => {
      await ask('close');
      await worker.terminate();
      await sleep(200);
    },
  };
}

async function gatewayMetric(gatewayUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const match = new RegExp(`^${name.replace(/[{}"=]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
  return Number(match?.[1] ?? Number.NaN);
}

const openCount = async (gatewayUrl: string) =>
  (await gatewayMetric(gatewayUrl, 'jh_subscriptions_open{feed="stockChanged"}')) + (await gatewayMetric(gatewayUrl, 'jh_subscriptions_open{feed="stockLevels"}'));
const rssMb = async (gatewayUrl: string) => (await gatewayMetric(gatewayUrl, 'process_resident_memory_bytes')) / 1024 / 1024;

export async function measureSubscribers(plan: Plan, say: (line: string) => void): Promise<SubscribersResult> {
  const { total, orders, throughputWith, throughputMs, throughputConnections } = plan.subscribers;
  const connections = Math.ceil(total / PER_CONNECTION);
  say(`subscribers: ${total} on ${connections} WebSockets, ${orders} orders one at a time; then orders/s with ${throughputWith} subscribers and without`);
  const cluster = await BenchCluster.start({ replicas: 3, minReplicas: 2, logLevel: plan.logLevel });
  try {
    const customers = await makeCustomers(cluster.graphqlUrl, plan.customers);
    const token = customers[0]?.token ?? '';

    // Throughput first, each feed's subscribers against none just before, on the same warm cluster. Orders/s counts
    // every order committed from the start of the load until every subscriber has had every event it caused: a
    // gateway that put deliveries off would otherwise look faster than it is.
    const load = () => runLoad({ url: cluster.graphqlUrl, connections: throughputConnections, warmupMs: plan.warmupMs, durationMs: throughputMs, next: placeOrders(customers) });
    const seq = () => gatewayMetric(cluster.gatewayUrl, 'jh_change_feed_seq');
    const measured = async (subscribers: Awaited<ReturnType<typeof openSubscribers>> | null, count = 0) => {
      const seqBefore = await seq();
      const received = subscribers ? await subscribers.received() : 0;
      const started = performance.now();
      const stats = await load();
      let ended = performance.now();
      if (subscribers) {
        // Delivered once the count has not moved for a second (each order's stock events, to each subscriber):
        // the end is when it last moved, seen every 50 ms.
        for (let last = await subscribers.received(); performance.now() - ended < 1000; ) {
          await sleep(50);
          const count = await subscribers.received();
          if (count !== last) {
            last = count;
            ended = performance.now();
          }
        }
      }
      const committed = (await seq()) - seqBefore;
      const perSubscriber = subscribers ? ((await subscribers.received()) - received) / count : 0;
      return { ordersPerSec: committed / ((ended - started) / 1000), p99Ms: stats.p99Ms, committed, perSubscriber, deliverySeconds: (ended - started) / 1000 - stats.seconds };
    };
    // One round: the load with none, then with `count` subscribers, back to back (a shared machine drifts between rounds).
    const round = async (feed: Feed, query: string, count: number) => {
      const without = await measured(null);
      const cutBefore = await gatewayMetric(cluster.gatewayUrl, 'jh_subscribers_cut_off_total');
      // Up to PER_CONNECTION a socket, spread evenly so that exactly `count` are open.
      const sockets = Math.ceil(count / PER_CONNECTION);
      if (count % sockets !== 0) throw new Error(`${count} subscribers do not spread evenly over ${sockets} WebSockets`);
      const some = await openSubscribers(cluster.gatewayUrl, sockets, count / sockets, query);
      await waitFor(`${count} subscriptions`, async () => (await openCount(cluster.gatewayUrl)) >= count);
      const run = await measured(some, count);
      // Subscribers that could not keep up were cut off: they cost less from then on, so say how many.
      const cutOff = (await gatewayMetric(cluster.gatewayUrl, 'jh_subscribers_cut_off_total')) - cutBefore;
      const stillOpen = await openCount(cluster.gatewayUrl);
      await some.close();
      await waitFor('no subscribers', async () => (await openCount(cluster.gatewayUrl)) === 0);
      const cost = 1 - run.ordersPerSec / without.ordersPerSec;
      say(`  orders/s with ${count} subscribers of ${feed}: ${run.ordersPerSec.toFixed(0)} (${(cost * 100).toFixed(0)}% fewer than ${without.ordersPerSec.toFixed(0)} with none just before; ${run.committed} orders, ${run.perSubscriber.toFixed(0)} events to each subscriber, the last ${run.deliverySeconds.toFixed(1)} s after the load); ${cutOff} cut off as too slow, ${stillOpen} still open`);
      return { subscribers: count, feed, ordersPerSec: run.ordersPerSec, p99Ms: run.p99Ms, eventsEach: run.perSubscriber, deliverySeconds: run.deliverySeconds, baselineOrdersPerSec: without.ordersPerSec, cost, cutOff, stillOpen };
    };
    /** The round of median cost among `rounds`, with every round's cut-offs added up. */
    const row = async (feed: Feed, query: string, count = throughputWith, rounds = plan.subscribers.rounds): Promise<ThroughputRow> => {
      const all: ThroughputRow[] = [];
      for (let r = 0; r < rounds; r++) all.push(await round(feed, query, count));
      const median = [...all].sort((a, b) => a.cost - b.cost)[Math.floor(all.length / 2)] as ThroughputRow;
      return { ...median, rounds: all.length, cutOff: all.reduce((n, r) => n + r.cutOff, 0) };
    };
    const throughput: ThroughputRow[] = [
      // Not a target, so one round: it shows why every change is capped.
      await row('every change', STOCK, throughputWith, 1),
      await row('every change, at the gateway\'s cap', STOCK, EVERY_STOCK_CHANGE_TOTAL),
      await row('stockLevels each second (as the web app)', PACED_STOCK),
    ];

    // Fan-out: every order's stock event to every one of `total` subscribers.
    const gatewayRssIdleMb = await rssMb(cluster.gatewayUrl);
    const all = await openSubscribers(cluster.gatewayUrl, connections, PER_CONNECTION);
    try {
      await waitFor(`${total} subscriptions`, async () => (await openCount(cluster.gatewayUrl)) >= total, 120_000);
      const gatewayRssSubscribedMb = await rssMb(cluster.gatewayUrl);
      const lastDelivery: number[] = [];
      const orderMs: number[] = [];
      for (let i = 0; i < orders; i++) {
        const before = await all.received();
        const sent = performance.now();
        await placeOneOrder(cluster.graphqlUrl, token);
        const acked = performance.now();
        await waitFor('every subscriber to have the event', async () => (await all.received()) >= before + total, 60_000, 1);
        lastDelivery.push(performance.now() - acked);
        orderMs.push(acked - sent);
      }
      lastDelivery.sort((a, b) => a - b);
      orderMs.sort((a, b) => a - b);
      const result: SubscribersResult = {
        subscribers: total,
        connections,
        orders,
        lastDeliveryP50Ms: percentile(lastDelivery, 0.5),
        lastDeliveryP99Ms: percentile(lastDelivery, 0.99),
        orderP50Ms: percentile(orderMs, 0.5),
        gatewayRssIdleMb,
        gatewayRssSubscribedMb,
        throughput,
      };
      say(`  ${total} subscribers: last delivery ${result.lastDeliveryP50Ms.toFixed(0)} ms after the ack (p50), ${result.lastDeliveryP99Ms.toFixed(0)} ms (p99); gateway ${gatewayRssIdleMb.toFixed(0)} -> ${gatewayRssSubscribedMb.toFixed(0)} MB`);
      return result;
    } finally {
      await all.close();
    }
  } finally {
    await cluster.stop();
  }
}
