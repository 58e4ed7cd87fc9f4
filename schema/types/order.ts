import { GraphQLError } from 'graphql';
import { isActive } from '../../replicas/domain/lifecycle.ts';
import { ACTOR_ROLES, ORDER_STATUSES, ORDERS_PAGE_MAX, type Order, type OrderLine, type OrderPage, type Product, type Quote, type TimelineEntry, type DeliveryContact } from '../../replicas/domain/types.ts';
import { type Context, builder } from '../builder.ts';
import { MoneyRef } from './money.ts';
import { DeliveryOptionRef, ProductRef } from './product.ts';

export const OrderStatusRef = builder.enumType('OrderStatus', {
  description:
    'Where an order is in its life: PLACED -> ACCEPTED -> PREPARING -> READY -> OUT_FOR_DELIVERY -> DELIVERED, or READY -> COLLECTED for Collection; ' +
    'the kitchen may reject a PLACED order (REJECTED), the customer cancel a PLACED or ACCEPTED one (CANCELLED).',
  values: ORDER_STATUSES,
});

export const ActorRoleRef = builder.enumType('ActorRole', { description: 'Who made a move: the customer, or staff in a role.', values: ACTOR_ROLES });

const DeliveryContactRef = builder.objectRef<DeliveryContact>('DeliveryContact').implement({
  description: 'The name, phone (E.164) and address an order goes to.',
  fields: (t) => ({
    name: t.exposeString('name'),
    phone: t.exposeString('phone'),
    address: t.exposeString('address'),
    postcode: t.exposeString('postcode'),
  }),
});

const TimelineEntryRef = builder.objectRef<TimelineEntry>('TimelineEntry').implement({
  description: 'One move in an order\'s life: the status it reached, when, and who made the move.',
  fields: (t) => ({
    status: t.field({ type: OrderStatusRef, resolve: (e) => e.status }),
    at: t.exposeString('at'),
    by: t.field({ type: ActorRoleRef, resolve: (e) => e.by }),
  }),
});

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
    active: t.boolean({
      description: 'Whether the order stands (the first version\'s ACTIVE): neither cancelled nor rejected.',
      resolve: (o) => isActive(o.status),
    }),
    timeline: t.field({ type: [TimelineEntryRef], description: 'Every move of the order, oldest first, from PLACED.', resolve: (o) => o.timeline }),
    rejectReason: t.string({ nullable: true, description: 'Why the kitchen rejected the order.', resolve: (o) => o.rejectReason ?? null }),
    deliverTo: t.field({
      type: DeliveryContactRef,
      nullable: true,
      description: "Who the order is for and where, as the customer's details were when it was placed (null for an order placed before this was kept).",
      resolve: (o) => o.deliverTo ?? null,
    }),
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

/** How many orders a page asks for: `first` if given, from 1 to ORDERS_PAGE_MAX, else `fallback`; out of range, INVALID_INPUT. */
export function ordersPageSize(first: number | null | undefined, fallback: number): number {
  const size = first ?? fallback;
  if (size < 1 || size > ORDERS_PAGE_MAX) throw new GraphQLError(`first must be from 1 to ${ORDERS_PAGE_MAX}.`, { extensions: { code: 'INVALID_INPUT' } });
  return size;
}
