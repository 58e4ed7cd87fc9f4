import { builder } from '../builder.ts';

export const OrderLineInputRef = builder.inputType('OrderLineInput', {
  fields: (t) => ({
    productId: t.id({ required: true }),
    quantity: t.int({ required: true, description: 'From 1 to 99.' }),
  }),
});

export const OrderQuoteInputRef = builder.inputType('OrderQuoteInput', {
  fields: (t) => ({
    lines: t.field({ type: [OrderLineInputRef], required: true }),
    deliveryOptionId: t.id({ required: false }),
    tipMinorUnits: t.int({ required: false, description: 'A tip in pence, from 0 to 10000.' }),
  }),
});
