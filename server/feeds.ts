// Live feeds for GraphQL subscriptions. Each subscriber gets its own bounded
// buffer: a subscriber that falls SUBSCRIBER_BUFFER_MAX events behind is
// closed with a clear reason (it can subscribe again) instead of making the
// gateway hold unbounded memory.
import { GraphQLError } from 'graphql';
import type { Order, Product } from '../replicas/domain/types.ts';
import type { ClusterInfo, ReplicaStatusEvent } from './services.ts';
import type { ViewService } from './view-service.ts';

export const SUBSCRIBER_BUFFER_MAX = 1000;

export interface Feeds {
  orderStatusChanged(customerId: string): AsyncIterable<Order>;
  stockChanged(): AsyncIterable<Product>;
  replicaStatusChanged(): AsyncIterable<ReplicaStatusEvent>;
  clusterChanged(): AsyncIterable<ClusterInfo>;
}

/** A push-to-pull queue for one subscriber. */
export class Subscription<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private failure: Error | null = null;
  private done = false;

  constructor(
    private readonly onClose: () => void,
    private readonly bufferMax = SUBSCRIBER_BUFFER_MAX,
  ) {}

  push(value: T): void {
    if (this.done || this.failure) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value, done: false });
      return;
    }
    if (this.buffer.length >= this.bufferMax) {
      this.failure = new GraphQLError(`Subscriber too slow: more than ${this.bufferMax} events waiting. Subscribe again to resume.`, {
        extensions: { code: 'SUBSCRIBER_TOO_SLOW' },
      });
      this.buffer.length = 0;
      this.onClose();
      return;
    }
    this.buffer.push(value);
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.buffer.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.failure) return Promise.reject(this.failure);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.buffer.length = 0;
    this.onClose();
    this.waiting?.({ value: undefined, done: true });
    this.waiting = null;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** Subscribers of one topic. */
export class Topic<T> {
  private readonly subscribers = new Set<Subscription<T>>();

  subscribe(): Subscription<T> {
    const subscription: Subscription<T> = new Subscription<T>(() => this.subscribers.delete(subscription));
    this.subscribers.add(subscription);
    return subscription;
  }

  publish(value: T): void {
    for (const subscriber of this.subscribers) subscriber.push(value);
  }

  get size(): number {
    return this.subscribers.size;
  }
}

export function createFeeds(views: ViewService): Feeds {
  const cluster = new Topic<ClusterInfo>();
  const replicas = new Topic<ReplicaStatusEvent>();
  views.on('view', () => cluster.publish(views.cluster()));
  views.on('replicaStatus', (event) => {
    replicas.publish(event);
    cluster.publish(views.cluster());
  });
  const notYet = (): AsyncIterable<never> => {
    throw new GraphQLError('This feed follows the committed change feed, which is not served yet.', { extensions: { code: 'NOT_AVAILABLE' } });
  };
  return {
    orderStatusChanged: notYet,
    stockChanged: notYet,
    replicaStatusChanged: () => replicas.subscribe(),
    clusterChanged: () => cluster.subscribe(),
  };
}
