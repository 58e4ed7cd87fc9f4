import { fulfilmentOf } from '../../replicas/domain/lifecycle.ts';
import { type DeliveryOption, FULFILMENTS, type Product } from '../../replicas/domain/types.ts';
import { builder } from '../builder.ts';
import { MoneyRef } from './money.ts';

export const ProductRef = builder.objectRef<Product>('Product').implement({
  description: 'A dish on the menu, with its current stock.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    price: t.field({ type: MoneyRef, resolve: (p) => p.priceMinor }),
    stock: t.exposeInt('stock'),
  }),
});

const FulfilmentRef = builder.enumType('Fulfilment', { description: 'How an order reaches its customer.', values: FULFILMENTS });

export const DeliveryOptionRef = builder.objectRef<DeliveryOption>('DeliveryOption').implement({
  description: 'A way to get the order to the customer, with its cost.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    cost: t.field({ type: MoneyRef, resolve: (d) => d.costMinor }),
    fulfilment: t.field({
      type: FulfilmentRef,
      description: 'DELIVERY: a rider brings the order (OUT_FOR_DELIVERY, then DELIVERED); COLLECTION: the customer collects it when READY (COLLECTED).',
      resolve: (d) => fulfilmentOf(d),
    }),
  }),
});
