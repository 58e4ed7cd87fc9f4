// One of the viewer's orders, for its own page (/orders/ID), with its status
// kept live by `orderStatusChanged`. Just after checkout the order placed is
// shown at once, while the page asks the gateway for it.
import { useCallback, useState } from 'react';
import { useQuery } from 'urql';
import { OrderQuery, OrderStatusChangedSubscription } from '../../../operations.js';
import type { Order } from './useOrders.js';
import { useLiveFeed } from './useLiveFeed.js';
import { useRefetchOnRecovery } from './useRefetchOnRecovery.js';
import { newer } from '../lifecycle.js';
import { hasErrorCode } from '../errors.js';

export type OrderState =
  | { kind: 'loading' }
  | { kind: 'found'; order: Order }
  /** No order of the viewer's has this id (or there is no viewer). */
  | { kind: 'not-found' }
  | { kind: 'unreachable'; retry(): void };

/** How often an order's page reads it again, for a move its feed missed while opening (useRefetchOnRecovery). */
export const ORDER_REREAD_MS = 15_000;

export function useOrder(orderId: string, placed: Order | null): OrderState {
  const [result, reexecute] = useQuery({ query: OrderQuery, variables: { id: orderId } });
  const [live, setLive] = useState<Order | null>(null);
  useLiveFeed(OrderStatusChangedSubscription, ({ orderStatusChanged }) => {
    if (orderStatusChanged.id === orderId) setLive(orderStatusChanged);
  });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useRefetchOnRecovery(refetch, ORDER_REREAD_MS);

  // The answer must be about this id: urql keeps the last answer while it asks about another.
  const answered = result.operation?.variables.id === orderId && !result.fetching;
  const fetched = result.operation?.variables.id === orderId ? result.data?.order : undefined;
  // The newest word on the order, a live event or a later read: its timeline only grows.
  const heard = live?.id === orderId ? live : null;
  const order = (heard && fetched ? newer(fetched, heard) : (heard ?? fetched)) ?? (placed?.id === orderId ? placed : null);
  if (order) return { kind: 'found', order };
  if (answered && result.data) return { kind: 'not-found' };
  if (answered && result.error) {
    // An id no order can have is refused outright: no such order either.
    const invalid = hasErrorCode(result.error, 'INVALID_INPUT');
    return invalid ? { kind: 'not-found' } : { kind: 'unreachable', retry: refetch };
  }
  return { kind: 'loading' };
}
