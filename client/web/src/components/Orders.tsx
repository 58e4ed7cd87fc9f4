// Order history, newest first: status, delivery, dishes and total, each with a
// link to the order's own page; filter to active orders; cancel one after
// confirming. Statuses change live.
import { useState } from 'react';
import { type Order, useOrders } from '../hooks/useOrders.js';
import { CancelOrder } from './CancelOrder.js';
import { Link } from './Link.js';
import { Costs, OrderLines, StatusBadge, placedAt } from './OrderSummary.js';
import { ErrorNotice } from './ErrorNotice.js';
import { PageTitle } from './PageTitle.js';

export function Orders() {
  // All orders, or only those that stand (neither cancelled nor rejected).
  const [filter, setFilter] = useState<true | null>(null);
  const view = useOrders(filter);
  return (
    <section className="orders" aria-labelledby="orders-title">
      <div className="orders__head">
        <PageTitle id="orders-title" title="Your orders" />
        <div className="segmented" role="group" aria-label="Show">
          <button type="button" aria-pressed={filter === null} onClick={() => setFilter(null)}>
            All
          </button>
          <button type="button" aria-pressed={filter === true} onClick={() => setFilter(true)}>
            Active
          </button>
        </div>
      </div>
      {view.error && <ErrorNotice onRetry={view.refetch}>{view.error}</ErrorNotice>}
      {view.loading && <p className="muted">Loading your orders…</p>}
      {!view.loading && !view.error && view.orders.length === 0 && (
        <p className="card muted">{filter === true ? 'You have no active orders.' : 'You have not ordered anything yet.'}</p>
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
  return (
    <li className="card order" data-testid={`order-${order.id}`} aria-labelledby={`order-${order.id}-title`}>
      <header className="order__head">
        <h2 id={`order-${order.id}-title`} className="order__title">
          <Link to={{ page: 'order', orderId: order.id }}>Order #{order.id}</Link>
        </h2>
        <StatusBadge order={order} />
      </header>
      <p className="muted">
        {placedAt(order.createdAt)} · {order.deliveryOption.name}
      </p>
      <OrderLines order={order} />
      <Costs subtotal={order.subtotal.formatted} deliveryCost={order.deliveryCost.formatted} tip={order.tip.formatted} total={order.total.formatted} deliveryName={order.deliveryOption.name} />
      <CancelOrder order={order} />
    </li>
  );
}
