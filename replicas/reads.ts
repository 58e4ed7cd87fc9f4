// Reads the primary serves from its last committed state.
import { priceCart, toQuote } from './domain/pricing.ts';
import type { ReadRequest } from './protocol.ts';
import type { Store } from './store.ts';

type Committed = Store['committed'];

export function executeRead(request: ReadRequest, state: Committed): unknown {
  switch (request.type) {
    case 'products':
      return state.products();
    case 'deliveryOptions':
      return state.deliveryOptions();
    case 'catalogLoaded':
      return state.catalogLoaded();
    case 'quote': {
      const priced = priceCart(request.input, (id) => state.product(id), state.deliveryOptions());
      return priced.ok ? { ok: true, value: toQuote(priced.value) } : priced;
    }
    case 'customerByTokenHash':
      return state.customerByTokenHash(request.tokenHash);
    case 'staffByTokenHash':
      return state.staffByTokenHash(request.tokenHash);
    case 'staff':
      return state.staffList();
    case 'ordersInStatus':
      return state.ordersInStatus(request.statuses, request.first);
    case 'orders':
      return state.consistent(() => state.orders(request.customerId, request));
    case 'order':
      return state.order(request.customerId, request.orderId);
  }
}
