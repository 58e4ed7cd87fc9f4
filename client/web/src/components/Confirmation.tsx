// The order just placed.
import { useEffect, useRef } from 'react';
import type { Order } from '../hooks/useOrders.js';
import { Costs, OrderLines, StatusBadge } from './OrderSummary.js';

export function Confirmation({ order, firstName, onOrders, onMenu }: { order: Order; firstName: string; onOrders(): void; onMenu(): void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="card confirmation" aria-labelledby="confirmation-title" data-testid="confirmation">
      <div className="confirmation__tick" aria-hidden="true">
        ✓
      </div>
      <h2 id="confirmation-title" tabIndex={-1} ref={heading}>
        Thanks, {firstName}! Order #{order.id} is placed.
      </h2>
      <p className="muted">
        {order.deliveryOption.name} · <StatusBadge status={order.status} />
      </p>
      <OrderLines order={order} />
      <Costs subtotal={order.subtotal.formatted} deliveryCost={order.deliveryCost.formatted} tip={order.tip.formatted} total={order.total.formatted} deliveryName={order.deliveryOption.name} />
      <div className="actions">
        <button type="button" className="button button--ghost" onClick={onMenu}>
          Order something else
        </button>
        <button type="button" className="button button--primary" onClick={onOrders}>
          See your orders
        </button>
      </div>
    </section>
  );
}
