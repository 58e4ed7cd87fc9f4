// `just-hungry order --watch ID`: one of the customer's orders, followed live
// (orderStatusChanged over graphql-ws) from what it has been through so far
// until it is delivered, collected, rejected or cancelled. Each move is
// printed once: after a reconnect the order is read again, and only moves not
// yet printed are shown.
import { createClient } from 'graphql-ws';
import { print } from 'graphql';
import WebSocket from 'ws';
import type { TimelineFieldsFragment } from '../gql/graphql.js';
import { WatchOrderQuery, WatchOrdersSubscription } from '../operations.js';
import { bold, dim, good, say } from './output.js';
import type { Session } from './session.js';

const FINAL = new Set(['DELIVERED', 'COLLECTED', 'REJECTED', 'CANCELLED']);

const WORDS: Record<string, string> = {
  PLACED: 'placed',
  ACCEPTED: 'accepted by the kitchen',
  PREPARING: 'being prepared',
  READY: 'ready',
  OUT_FOR_DELIVERY: 'out for delivery',
  DELIVERED: 'delivered. Enjoy your meal!',
  COLLECTED: 'collected. Enjoy your meal!',
  REJECTED: 'rejected by the kitchen',
  CANCELLED: 'cancelled (refunded in full)',
};

export async function watchOrder(session: Session, orderId: string): Promise<void> {
  const token = session.token;
  if (!token) throw new Error(`No customer is saved for ${session.url}: place an order first (just-hungry order).`);
  let shown = 0;
  /** Prints the moves of `order` not printed yet; true once it has reached a final status. */
  const show = (order: TimelineFieldsFragment): boolean => {
    for (const entry of order.timeline.slice(shown)) {
      const time = new Date(entry.at).toLocaleTimeString('en-GB');
      const line = `${dim(time)}  ${bold(entry.status)}  ${WORDS[entry.status] ?? ''}`;
      say(FINAL.has(entry.status) ? good(line) : line);
      if (entry.status === 'REJECTED' && order.rejectReason) say(`          ${order.rejectReason} (refunded in full)`);
    }
    shown = Math.max(shown, order.timeline.length);
    return FINAL.has(order.status);
  };
  const read = async () => {
    const { order } = await session.api.query(WatchOrderQuery, { id: orderId });
    if (!order) throw new Error(`You have no order ${orderId} (just-hungry order --history lists yours).`);
    return order;
  };

  const first = await read();
  say(`Order #${orderId} · ${first.deliveryOption.name}`);
  if (show(first)) return;
  say(dim('Watching for the next step (Ctrl-C to stop)...'));

  const url = session.url.replace(/^http/, 'ws');
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      // Each time the socket is (re)connected the order is read again: moves made while it was down, or before the
      // subscription was open, are printed then (and each move once: `show` prints only what it has not).
      client.on('connected', () => {
        read().then((order) => show(order) && resolve(), reject);
      });
      client.subscribe<{ orderStatusChanged: TimelineFieldsFragment }>(
        { query: print(WatchOrdersSubscription) },
        {
          next: ({ data, errors }) => {
            if (errors?.length) return reject(new Error(errors.map((e) => e.message).join(' ')));
            const order = data?.orderStatusChanged;
            if (order?.id === orderId && show(order)) resolve();
          },
          error: (error) => reject(error instanceof Error ? error : new Error(String(error))),
          complete: () => resolve(),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}
