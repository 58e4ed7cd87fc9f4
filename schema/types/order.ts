import { GraphQLError } from 'graphql';
import type { Order, OrderLine, OrderPage, Product, Quote } from '../../replicas/domain/types.ts';
import { type Context, builder } from '../builder.ts';
import { MoneyRef } from './money.ts';
import { DeliveryOptionRef, ProductRef } from './product.ts';

export const OrderStatusRef = builder.enumType('OrderStatus', { values: ['ACTIVE', 'CANCELLED'] as const });

// One products read per request, however many order lines ask for theirs.
const productsByRequest = new WeakMap<Context, Promise<Map<string, Product>>>();
function productsOf(context: Context): Promise<Map<string, Product>> {
  let products = productsByRequest.get(context);
  if (!products) {
    products = context.services.products().then((list) => new Map(list.map((p) => [p.id, p])));
    productsByRequest.set(context, products);
  }
  return products;
}

export const OrderLineRef = builder.objectRef<OrderLine>('OrderLine').implement({
  description: 'A dish and quantity in an order, at the price it had then.',
  fields: (t) => ({
    product: t.field({
      type: ProductRef,
      resolve: async (line, _args, context) => {
        const product = (await productsOf(context)).get(line.productId);
        // A dish since taken off the menu still shows what was ordered.
        return product ?? { id: line.productId, name: line.productName, description: '', priceMinor: line.unitPriceMinor, stock: 0 };
      },
    }),
    productName: t.exposeString('productName'),
    quantity: t.exposeInt('quantity'),
    unitPrice: t.field({ type: MoneyRef, resolve: (l) => l.unitPriceMinor }),
    lineTotal: t.field({ type: MoneyRef, resolve: (l) => l.lineTotalMinor }),
  }),
});

export const OrderRef = builder.objectRef<Order>('Order').implement({
  description: 'A placed order. Ids grow with every order.',
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.field({ type: OrderStatusRef, resolve: (o) => o.status }),
    createdAt: t.exposeString('createdAt'),
    lines: t.field({ type: [OrderLineRef], resolve: (o) => o.lines }),
    deliveryOption: t.field({ type: DeliveryOptionRef, resolve: (o) => o.deliveryOption }),
    subtotal: t.field({ type: MoneyRef, resolve: (o) => o.subtotalMinor }),
    deliveryCost: t.field({ type: MoneyRef, resolve: (o) => o.deliveryCostMinor }),
    tip: t.field({ type: MoneyRef, resolve: (o) => o.tipMinor }),
    total: t.field({ type: MoneyRef, resolve: (o) => o.totalMinor }),
  }),
});

export const OrderQuoteRef = builder.objectRef<Quote>('OrderQuote').implement({
  description: 'What a cart would cost: subtotal + delivery + tip.',
  fields: (t) => ({
    lines: t.field({ type: [OrderLineRef], resolve: (q) => q.lines }),
    subtotal: t.field({ type: MoneyRef, resolve: (q) => q.subtotalMinor }),
    deliveryCost: t.field({ type: MoneyRef, resolve: (q) => q.deliveryCostMinor }),
    tip: t.field({ type: MoneyRef, resolve: (q) => q.tipMinor }),
    total: t.field({ type: MoneyRef, resolve: (q) => q.totalMinor }),
  }),
});

export const encodeCursor = (orderId: string): string => Buffer.from(`order:${orderId}`).toString('base64url');

export function decodeCursor(cursor: string): string {
  const match = /^order:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) throw new GraphQLError(`"${cursor.slice(0, 40)}" is not a cursor from this list.`, { extensions: { code: 'INVALID_INPUT' } });
  return match[1];
}

const PageInfoRef = builder.objectRef<OrderPage>('PageInfo').implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.string({ nullable: true, resolve: (page) => (page.orders.length > 0 ? encodeCursor(page.orders[page.orders.length - 1]!.id) : null) }),
  }),
});

const OrderEdgeRef = builder.objectRef<Order>('OrderEdge').implement({
  fields: (t) => ({
    cursor: t.string({ resolve: (order) => encodeCursor(order.id) }),
    node: t.field({ type: OrderRef, resolve: (order) => order }),
  }),
});

export const OrderConnectionRef = builder.objectRef<OrderPage>('OrderConnection').implement({
  description: 'A page of orders, newest first.',
  fields: (t) => ({
    edges: t.field({ type: [OrderEdgeRef], resolve: (page) => page.orders }),
    pageInfo: t.field({ type: PageInfoRef, resolve: (page) => page }),
    totalCount: t.exposeInt('totalCount'),
  }),
});
