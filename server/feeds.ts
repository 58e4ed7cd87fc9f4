// Live feeds for GraphQL subscriptions. Orders and stock come from the
// primary's committed change feed (so only committed changes are sent, from
// whichever path made them); the cluster feeds come from the view service.
// A feed's readers are the gateway's own shared streams
// (shared-subscriptions.ts), which read as fast as events come, so they are
// never cut off: a burst of changes (an order of ten dishes) may arrive
// before a reader runs. Clients' own bounded buffers are the shared
// streams' Topics: a client that falls `--subscriber-buffer-max` events
// behind (default SUBSCRIBER_BUFFER_MAX) is closed with a clear reason (it
// can subscribe again) instead of making the gateway hold unbounded memory.
import { GraphQLError } from 'graphql';
import type { Order, Product } from '../replicas/domain/types.ts';
import type { ClusterInfo, ReplicaStatusEvent } from '../schema/services.ts';
import type { Logger } from 'pino';
import type { ChangeFeed } from './change-feed.ts';
import type { ViewService } from './view-service.ts';

export const SUBSCRIBER_BUFFER_MAX = 1000;

export interface Feeds {
  orderStatusChanged(customerId: string): AsyncIterable<Order>;
  /** Every order placed or moved, whoever's, for one member of staff: it ends (FORBIDDEN) when they are removed. */
  staffOrderChanged(staffId: string): AsyncIterable<Order>;
  /** Every stock change; with `atMostEveryMs`, at most one event per product in that time, with its latest stock. */
  stockChanged(atMostEveryMs: number | null): AsyncIterable<Product>;
  /** The same paced changes, each interval's in one event. */
  stockLevels(everyMs: number): AsyncIterable<Product[]>;
  replicaStatusChanged(): AsyncIterable<ReplicaStatusEvent>;
  clusterChanged(): AsyncIterable<ClusterInfo>;
}

/** A push-to-pull queue for one subscriber. */
export class Subscription<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: Error) => void } | null = null;
  private failure: Error | null = null;
  private done = false;
  private told = false;

  constructor(
    private readonly onClose: () => void,
    private readonly bufferMax = SUBSCRIBER_BUFFER_MAX,
    private readonly onCutOff: () => void = () => undefined,
  ) {}

  push(value: T): void {
    if (this.done || this.failure) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ value, done: false });
      return;
    }
    if (this.buffer.length >= this.bufferMax) {
      this.failure = new GraphQLError(`Subscriber too slow: more than ${this.bufferMax} events waiting. Subscribe again to resume.`, {
        extensions: { code: 'SUBSCRIBER_TOO_SLOW' },
      });
      this.buffer.length = 0;
      this.ended();
      this.onCutOff();
      return;
    }
    this.buffer.push(value);
  }

  /** Ends the stream with `error` once what is buffered has been read. */
  fail(error: Error): void {
    if (this.done || this.failure) return;
    this.failure = error;
    // A reader already waiting has read everything buffered: it gets the failure now.
    this.waiting?.reject(error);
    this.waiting = null;
    this.ended();
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.buffer.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.failure) return Promise.reject(this.failure);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.buffer.length = 0;
    this.ended();
    this.waiting?.resolve({ value: undefined, done: true });
    this.waiting = null;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Tells `onClose` once, however the stream ends (cut off, failed, closed, or more than one of these). */
  private ended(): void {
    if (this.told) return;
    this.told = true;
    this.onClose();
  }
}

/** Subscribers of one topic. */
export class Topic<T> {
  private readonly subscribers = new Set<Subscription<T>>();

  constructor(
    private readonly limits: { bufferMax: number; onCutOff?: () => void } = { bufferMax: SUBSCRIBER_BUFFER_MAX },
    private readonly onEmpty: () => void = () => undefined,
  ) {}

  /** A new subscriber; `onEnd` is told once when it ends, however it ends. */
  subscribe(onEnd?: () => void): Subscription<T> {
    const subscription: Subscription<T> = new Subscription<T>(
      () => {
        onEnd?.();
        this.subscribers.delete(subscription);
        if (this.subscribers.size === 0) this.onEmpty();
      },
      this.limits.bufferMax,
      this.limits.onCutOff,
    );
    this.subscribers.add(subscription);
    return subscription;
  }

  publish(value: T): void {
    for (const subscriber of this.subscribers) subscriber.push(value);
  }

  /** Ends every subscriber's stream (their source ended). */
  close(): void {
    for (const subscriber of [...this.subscribers]) subscriber.close();
  }

  /** Ends every subscriber's stream with `error` (their source failed). */
  fail(error: Error): void {
    for (const subscriber of [...this.subscribers]) subscriber.fail(error);
  }

  get size(): number {
    return this.subscribers.size;
  }
}

/**
 * Stock at most every `intervalMs` per product: changes are held, the latest
 * per product, and sent together when the interval ends (the first change
 * starts one), as one batch. A product that changed is always sent, with its
 * level at the end of the interval.
 */
export class PacedStock {
  readonly topic: Topic<Product[]>;
  private readonly pending = new Map<string, Product>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    onEmpty: () => void,
  ) {
    this.topic = new Topic<Product[]>({ bufferMax: Number.POSITIVE_INFINITY }, () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.pending.clear();
      onEmpty();
    });
  }

  offer(product: Product): void {
    this.pending.set(product.id, product);
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  private flush(): void {
    this.timer = null;
    const products = [...this.pending.values()];
    this.pending.clear();
    this.topic.publish(products);
  }
}

/**
 * Each item of each batch, in order, as its own event. Returning ends the
 * batches at once, even while a read waits for the next one (an async
 * generator's return would wait behind that read, so a subscriber who left
 * would hold its subscription until stock next changed).
 */
export function oneByOne<T>(batches: AsyncIterator<T[]>): AsyncIterableIterator<T> {
  let items: T[] = [];
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      while (items.length === 0) {
        const batch = await batches.next();
        if (batch.done) return { value: undefined, done: true };
        items = [...batch.value];
      }
      return { value: items.shift() as T, done: false };
    },
    async return() {
      items = [];
      await batches.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

export interface FeedSources {
  views: ViewService;
  changes: ChangeFeed;
  /** The catalogue, to give a stock change its product's name and price. */
  products: () => Promise<Product[]>;
  log: Logger;
}

/** Topics fed by the view service (cluster feeds) and by the committed change feed (orders, stock). */
export function createFeeds({ views, changes, products, log }: FeedSources): Feeds {
  const limits = { bufferMax: Number.POSITIVE_INFINITY };
  const cluster = new Topic<ClusterInfo>(limits);
  const replicas = new Topic<ReplicaStatusEvent>(limits);
  const stock = new Topic<Product>(limits);
  // Paced stock feeds, one per interval asked for: the latest level of each product changed, flushed once an interval.
  const paced = new Map<number, PacedStock>();
  const publishStock = (product: Product) => {
    stock.publish(product);
    for (const feed of paced.values()) feed.offer(product);
  };
  /** The paced feed of this interval, shared by both subscriptions that follow stock paced. */
  const pacedStock = (intervalMs: number): PacedStock => {
    let feed = paced.get(intervalMs);
    if (!feed) {
      const created = new PacedStock(intervalMs, () => paced.delete(intervalMs));
      paced.set(intervalMs, created);
      feed = created;
    }
    return feed;
  };
  // One topic per customer (their orders) and per member of staff (every order), each gone with its last subscriber.
  const orders = new Map<string, Topic<Order>>();
  const staffOrders = new Map<string, Topic<Order>>();
  const topicOf = (topics: Map<string, Topic<Order>>, key: string): Topic<Order> => {
    let topic = topics.get(key);
    if (!topic) {
      const created = new Topic<Order>(limits, () => {
        if (created.size === 0) topics.delete(key);
      });
      topics.set(key, created);
      topic = created;
    }
    return topic;
  };
  views.on('view', () => cluster.publish(views.cluster()));
  views.on('replicaStatus', (event) => {
    replicas.publish(event);
    cluster.publish(views.cluster());
  });

  // Changes are handled one after another, so events keep the feed's order
  // even when a product's details must be fetched first.
  const catalog = new Map<string, Product>();
  let handling = Promise.resolve();
  const productOf = async (id: string): Promise<Product | undefined> => {
    if (!catalog.has(id)) for (const product of await products()) catalog.set(product.id, product);
    return catalog.get(id);
  };
  changes.onChange(({ effect }) => {
    handling = handling.then(async () => {
      switch (effect.type) {
        case 'catalogLoaded':
          for (const product of effect.products) catalog.set(product.id, product);
          for (const product of effect.products) publishStock(product);
          return;
        case 'customerSaved':
        case 'staffAdded':
          return;
        case 'staffRemoved':
          // Their token no longer works: nor does the feed they opened with it (scopes are checked only as it opens).
          staffOrders.get(effect.staff.id)?.fail(new GraphQLError(`${effect.staff.name}'s staff token was removed: this feed has ended.`, { extensions: { code: 'FORBIDDEN' } }));
          return;
        case 'orderPlaced':
        case 'orderCancelled':
        case 'orderMoved': {
          const { order } = effect;
          orders.get(order.customerId)?.publish(order);
          for (const topic of staffOrders.values()) topic.publish(order);
          for (const level of effect.stock) {
            const product = stock.size > 0 || paced.size > 0 ? await productOf(level.productId) : undefined;
            if (product) publishStock({ ...product, stock: level.stock });
          }
          return;
        }
      }
    }).catch((error: unknown) => log.error({ err: String(error) }, 'could not publish a committed change'));
  });

  return {
    orderStatusChanged: (customerId) => topicOf(orders, customerId).subscribe(),
    stockChanged: (atMostEveryMs) => (atMostEveryMs === null ? stock.subscribe() : oneByOne(pacedStock(atMostEveryMs).topic.subscribe())),
    stockLevels: (everyMs) => pacedStock(everyMs).topic.subscribe(),
    staffOrderChanged: (staffId) => topicOf(staffOrders, staffId).subscribe(),
    replicaStatusChanged: () => replicas.subscribe(),
    clusterChanged: () => cluster.subscribe(),
  };
}
