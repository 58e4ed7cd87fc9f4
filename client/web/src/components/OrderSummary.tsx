// An order's dishes and costs, as shown in a confirmation and in the history.
import type { Order } from '../hooks/useOrders.js';
import { STATUS_WORDS } from '../lifecycle.js';

export function OrderLines({ order }: { order: Order }) {
  return (
    <ul className="order-lines">
      {order.lines.map((line) => (
        <li key={line.product.id}>
          <span>
            <span className="qty">{line.quantity}×</span> {line.productName}
          </span>
          <span>{line.lineTotal.formatted}</span>
        </li>
      ))}
    </ul>
  );
}

export function Costs({ subtotal, deliveryCost, tip, total, deliveryName, testId }: { subtotal: string; deliveryCost: string; tip: string; total: string; deliveryName?: string | undefined; testId?: string }) {
  return (
    <dl className="costs" data-testid={testId}>
      <div>
        <dt>Subtotal</dt>
        <dd>{subtotal}</dd>
      </div>
      <div>
        <dt>{deliveryName ?? 'Delivery'}</dt>
        <dd>{deliveryCost}</dd>
      </div>
      <div>
        <dt>Tip</dt>
        <dd>{tip}</dd>
      </div>
      <div className="costs__total">
        <dt>Total</dt>
        <dd>{total}</dd>
      </div>
    </dl>
  );
}

/** Statuses in which the customer may still cancel (the API's rule, which refuses any other). */
export const cancellable = (order: Pick<Order, 'status'>): boolean => order.status === 'PLACED' || order.status === 'ACCEPTED';

export function StatusBadge({ order }: { order: Pick<Order, 'status' | 'active'> }) {
  return <span className={`badge badge--${order.active ? 'active' : 'cancelled'}`}>{STATUS_WORDS[order.status]}</span>;
}

export function placedAt(createdAt: string): string {
  const date = new Date(createdAt);
  return Number.isNaN(date.getTime()) ? createdAt : date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}
