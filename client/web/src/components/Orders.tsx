// Order history, newest first: status, delivery, dishes and total; filter to
// active orders; cancel one after confirming. Statuses change live.
import { useRef, useState } from 'react';
import { useMutation } from 'urql';
import { CancelOrderMutation } from '../../../operations.js';
import type { OrderStatus } from '../../../gql/graphql.js';
import { type Order, useOrders } from '../hooks/useOrders.js';
import { Costs, OrderLines, StatusBadge, placedAt } from './OrderSummary.js';
import { ErrorNotice } from './ErrorNotice.js';
import { newKey } from '../storage.js';

export function Orders() {
  const [filter, setFilter] = useState<OrderStatus | null>(null);
  const view = useOrders(filter);
  return (
    <section className="orders" aria-labelledby="orders-title">
      <div className="orders__head">
        <h2 id="orders-title">Your orders</h2>
        <div className="segmented" role="group" aria-label="Show">
          <button type="button" aria-pressed={filter === null} onClick={() => setFilter(null)}>
            All
          </button>
          <button type="button" aria-pressed={filter === 'ACTIVE'} onClick={() => setFilter('ACTIVE')}>
            Active
          </button>
        </div>
      </div>
      {view.error && <ErrorNotice onRetry={view.refetch}>{view.error}</ErrorNotice>}
      {view.loading && <p className="muted">Loading your orders…</p>}
      {!view.loading && !view.error && view.orders.length === 0 && (
        <p className="card muted">{filter === 'ACTIVE' ? 'You have no active orders.' : 'You have not ordered anything yet.'}</p>
      )}
      <ul className="order-list">
        {view.orders.map((order) => (
          <OrderCard key={order.id} order={order} />
        ))}
      </ul>
      {view.hasMore && (
        <button type="button" className="button button--ghost button--block" onClick={view.showMore}>
          Show older orders
        </button>
      )}
    </section>
  );
}

function OrderCard({ order }: { order: Order }) {
  const [confirming, setConfirming] = useState(false);
  const [cancelling, cancel] = useMutation(CancelOrderMutation);
  const cancelKey = useRef(newKey());
  const [message, setMessage] = useState<string | null>(null);

  async function confirmCancel() {
    setMessage(null);
    // One key for every attempt at cancelling this order: a retry gets the first answer.
    const result = await cancel({ input: { orderId: order.id, idempotencyKey: cancelKey.current } });
    const payload = result.data?.cancelOrder;
    if (!payload?.order) setMessage(payload?.errors.map((e) => e.message).join(' ') || 'The order could not be cancelled. Please try again.');
    setConfirming(false);
  }

  return (
    <li className="card order" data-testid={`order-${order.id}`} aria-labelledby={`order-${order.id}-title`}>
      <header className="order__head">
        <h3 id={`order-${order.id}-title`}>Order #{order.id}</h3>
        <StatusBadge status={order.status} />
      </header>
      <p className="muted">
        {placedAt(order.createdAt)} · {order.deliveryOption.name}
      </p>
      <OrderLines order={order} />
      <Costs subtotal={order.subtotal.formatted} deliveryCost={order.deliveryCost.formatted} tip={order.tip.formatted} total={order.total.formatted} deliveryName={order.deliveryOption.name} />
      {message && (
        <p className="field__error" role="alert">
          {message}
        </p>
      )}
      {order.status === 'ACTIVE' && !confirming && (
        <button type="button" className="button button--ghost button--danger" onClick={() => setConfirming(true)}>
          Cancel order
        </button>
      )}
      {order.status === 'ACTIVE' && confirming && (
        <div className="confirm" role="alertdialog" aria-labelledby={`cancel-${order.id}`}>
          <p id={`cancel-${order.id}`}>Cancel order #{order.id}? Your food will not be made.</p>
          <div className="actions">
            <button type="button" className="button button--ghost" onClick={() => setConfirming(false)} autoFocus>
              Keep order
            </button>
            <button type="button" className="button button--danger" onClick={() => void confirmCancel()} disabled={cancelling.fetching} aria-busy={cancelling.fetching}>
              {cancelling.fetching ? 'Cancelling…' : 'Yes, cancel order'}
            </button>
          </div>
        </div>
      )}
    </li>
  );
}
