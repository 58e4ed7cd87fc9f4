// One order's own page (/orders/ID), which survives a reload: its tracker
// (live, from orderStatusChanged), dishes, delivery and address, and costs; it
// can be cancelled while the kitchen has not started on it. Straight after
// checkout it is the confirmation, with a thank-you.
import type { Customer } from '../hooks/useCustomer.js';
import { useOrder } from '../hooks/useOrder.js';
import type { Order } from '../hooks/useOrders.js';
import { CancelOrder } from './CancelOrder.js';
import { AddressRow } from './CustomerCard.js';
import { ErrorNotice } from './ErrorNotice.js';
import { Link } from './Link.js';
import { Costs, OrderLines, StatusBadge, placedAt } from './OrderSummary.js';
import { OrderTracker } from './OrderTracker.js';
import { PageTitle } from './PageTitle.js';

interface OrderPageProps {
  orderId: string;
  /** The order this visit just placed, if it is this one: shown at once, with thanks. */
  placed: Order | null;
  /** Who is looking (for the thanks, and the address of an order placed before orders kept their own); null until known. */
  customer: Customer | null;
}

export function OrderPage({ orderId, placed, customer }: OrderPageProps) {
  const state = useOrder(orderId, placed);
  const thanks = placed?.id === orderId && customer ? `Thanks, ${customer.firstName}! Order #${orderId} is placed.` : null;
  const missing = state.kind === 'not-found';
  return (
    <section className="card order-page" aria-labelledby="order-title" data-testid="order-page">
      {thanks && (
        <div className="order-page__tick" aria-hidden="true">
          ✓
        </div>
      )}
      <PageTitle id="order-title" title={missing ? `We can't find order #${orderId}` : `Order #${orderId}`}>
        {missing ? undefined : thanks}
      </PageTitle>
      {state.kind === 'loading' && (
        <p className="muted" aria-busy="true">
          Loading your order…
        </p>
      )}
      {state.kind === 'unreachable' && <ErrorNotice onRetry={state.retry}>Your order could not be loaded.</ErrorNotice>}
      {missing && <p>None of the orders placed from this device has that number. Your orders are all listed under Orders.</p>}
      {state.kind === 'found' && <OrderDetails order={state.order} customer={customer} />}
      <div className="actions">
        <Link className="button button--ghost" to={{ page: 'orders' }}>
          See all your orders
        </Link>
        <Link className="button button--primary" to={{ page: 'menu' }}>
          Order something else
        </Link>
      </div>
    </section>
  );
}

function OrderDetails({ order, customer }: { order: Order; customer: Customer | null }) {
  // Where it was to go when it was placed; the customer's address now only for an order from before orders kept that.
  const to = order.deliverTo ?? customer;
  return (
    <>
      <p className="muted">
        Placed {placedAt(order.createdAt)} · <StatusBadge order={order} />
      </p>
      <OrderTracker order={order} />
      <OrderLines order={order} />
      <dl className="details order-page__facts">
        <div>
          <dt>Delivery</dt>
          <dd>{order.deliveryOption.name}</dd>
        </div>
        {to && <AddressRow customer={to} />}
      </dl>
      <Costs subtotal={order.subtotal.formatted} deliveryCost={order.deliveryCost.formatted} tip={order.tip.formatted} total={order.total.formatted} deliveryName={order.deliveryOption.name} />
      <CancelOrder order={order} />
    </>
  );
}
