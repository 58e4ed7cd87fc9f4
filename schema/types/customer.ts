import { type Customer, ORDERS_PAGE_DEFAULT, ORDERS_PAGE_MAX } from '../../replicas/domain/types.ts';
import { builder } from '../builder.ts';
import { OrderConnectionRef, OrderStatusRef, decodeCursor, ordersPageSize } from './order.ts';

export const CustomerRef = builder.objectRef<Customer>('Customer').implement({
  description: 'The customer behind a bearer token.',
  fields: (t) => ({
    id: t.exposeID('id'),
    firstName: t.exposeString('firstName'),
    lastName: t.exposeString('lastName'),
    phone: t.exposeString('phone', { description: 'E.164, e.g. +442079460018.' }),
    postcode: t.exposeString('postcode'),
    address: t.exposeString('address'),
    orders: t.field({
      type: OrderConnectionRef,
      description: `Order history, newest first; \`first\` from 1 to ${ORDERS_PAGE_MAX} (default ${ORDERS_PAGE_DEFAULT}).`,
      args: {
        status: t.arg({ type: OrderStatusRef, required: false }),
        active: t.arg.boolean({ required: false, description: 'Only orders that stand (true) or only cancelled and rejected ones (false).' }),
        first: t.arg.int({ required: false }),
        after: t.arg.string({ required: false }),
      },
      resolve: (customer, args, { services }) => {
        const first = ordersPageSize(args.first, ORDERS_PAGE_DEFAULT);
        const beforeId = args.after ? decodeCursor(args.after) : null;
        return services.orders(customer.id, { status: args.status ?? null, active: args.active ?? null, first, beforeId });
      },
    }),
  }),
});
