// Subscribers that watch the run the way monitoring clients and the kitchen's
// screen do: graphql-ws over WebSocket to the gateway (never through a fault
// proxy), recording every event with the time it arrived, for the checker to
// hold against the committed log: a customer's orders (orderStatusChanged),
// every order at each placement and move (staffOrderChanged), and stock.
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ORDER_STATUSES } from '../replicas/domain/types.ts';
import type { Recorder, SubscriberRecord } from './history.ts';

const QUERIES: Record<SubscriberRecord['feed'], string> = {
  orderStatusChanged: 'subscription { orderStatusChanged { id status } }',
  staffOrderChanged: 'subscription { staffOrderChanged { id status } }',
  stockChanged: 'subscription { stockChanged { id stock } }',
};
const OPEN_WAIT_MS = 15_000;

export interface GatewayProbe {
  gatewayUrl: string;
  /** A value from the gateway's /metrics (summed over labels). */
  metric(name: string): Promise<number>;
  openSubscriptions(feed: string): Promise<number>;
}

export class Subscribers {
  readonly records: SubscriberRecord[] = [];
  private readonly clients: { client: Client; stop: () => void; record: SubscriberRecord }[] = [];
  private closing = false;

  constructor(
    private readonly probe: GatewayProbe,
    private readonly recorder: Recorder,
  ) {}

  /** Opens one subscription (with a customer's or a member of staff's token) and waits until the gateway has registered it (they are opened one at a time). */
  async open(feed: SubscriberRecord['feed'], token: string | null, customerId: string | null): Promise<SubscriberRecord> {
    const before = await this.probe.openSubscriptions(feed);
    const record: SubscriberRecord = { id: this.records.length + 1, feed, customerId, fromSeq: 0, readyAt: 0, events: [], errors: [], endedEarly: false };
    this.records.push(record);
    const client = createClient({
      url: `${this.probe.gatewayUrl.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
      lazy: false,
    });
    const stop = client.subscribe<Record<string, Record<string, unknown>>>(
      { query: QUERIES[feed] },
      {
        next: (value) => {
          if (value.errors) record.errors.push(...value.errors.map((e) => e.message));
          const event = value.data?.[feed];
          if (!event) return;
          const at = this.recorder.now();
          if (feed === 'stockChanged') {
            record.events.push({ at, productId: String(event.id), stock: Number(event.stock) });
            return;
          }
          const status = ORDER_STATUSES.find((s) => s === event.status);
          if (status) record.events.push({ at, orderId: String(event.id), status });
          else record.errors.push(`an event with no order status: ${JSON.stringify(event)}`);
        },
        error: (error) => {
          if (this.closing) return;
          record.errors.push(describe(error));
          record.endedEarly = true;
        },
        complete: () => {
          if (!this.closing) record.endedEarly = true;
        },
      },
    );
    this.clients.push({ client, stop, record });
    const deadline = Date.now() + OPEN_WAIT_MS;
    while ((await this.probe.openSubscriptions(feed)) <= before) {
      if (record.endedEarly || Date.now() > deadline) throw new Error(`the ${feed} subscription did not open: ${record.errors.join('; ') || 'no answer'}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // Every change the gateway hands on from now reaches this subscriber.
    record.fromSeq = await this.probe.metric('jh_change_feed_seq');
    record.readyAt = this.recorder.now();
    return record;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const { stop } of this.clients) stop();
    await Promise.all(this.clients.map(({ client }) => client.dispose()));
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (Array.isArray(error)) return error.map(describe).join('; ');
  if (error && typeof error === 'object' && 'code' in error) {
    const close = error as { code: unknown; reason?: unknown };
    return `socket closed (${String(close.code)} ${String(close.reason ?? '')})`;
  }
  return String(error);
}
