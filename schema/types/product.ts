import type { DeliveryOption, Product } from '../../replicas/domain/types.ts';
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

export const DeliveryOptionRef = builder.objectRef<DeliveryOption>('DeliveryOption').implement({
  description: 'A way to get the order to the customer, with its cost.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    cost: t.field({ type: MoneyRef, resolve: (d) => d.costMinor }),
  }),
});
