// One of the viewer's orders, for its own page (/orders/ID), with its status
// kept live by `orderStatusChanged`. Just after checkout the order placed is
// shown at once, while the page asks the gateway for it.
import { useCallback, useState } from 'react';
import { useQuery } from 'urql';
import { OrderQuery, OrderStatusChangedSubscription } from '../../../operations.js';
import type { Order } from './useOrders.js';
import { useLiveFeed } from './useLiveFeed.js';
import { useRefetchOnRecovery } from './useRefetchOnRecovery.js';

export type OrderState =
  | { kind: 'loading' }
  | { kind: 'found'; order: Order }
  /** No order of the viewer's has this id (or there is no viewer). */
  | { kind: 'not-found' }
  | { kind: 'unreachable'; retry(): void };

export function useOrder(orderId: string, placed: Order | null): OrderState {
  const [result, reexecute] = useQuery({ query: OrderQuery, variables: { id: orderId } });
  const [live, setLive] = useState<Order | null>(null);
  useLiveFeed(OrderStatusChangedSubscription, ({ orderStatusChanged }) => {
    if (orderStatusChanged.id === orderId) setLive(orderStatusChanged);
  });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useRefetchOnRecovery(refetch);

  // The answer must be about this id: urql keeps the last answer while it asks about another.
  const answered = result.operation?.variables.id === orderId && !result.fetching;
  const fetched = result.operation?.variables.id === orderId ? result.data?.order : undefined;
  // A live event is the newest word on the order.
  const order = (live?.id === orderId ? live : null) ?? fetched ?? (placed?.id === orderId ? placed : null);
  if (order) return { kind: 'found', order };
  if (answered && result.data) return { kind: 'not-found' };
  if (answered && result.error) {
    // An id no order can have is refused outright: no such order either.
    const invalid = result.error.graphQLErrors.some((e) => e.extensions['code'] === 'INVALID_INPUT');
    return invalid ? { kind: 'not-found' } : { kind: 'unreachable', retry: refetch };
  }
  return { kind: 'loading' };
}
