import { builder } from '../builder.ts';
import { limited, notAuthenticated, orderPayload } from './payloads.ts';

const CancelOrderInputRef = builder.inputType('CancelOrderInput', {
  fields: (t) => ({ orderId: t.id({ required: true }) }),
});

builder.mutationField('cancelOrder', (t) =>
  t.field({
    type: orderPayload('CancelOrderPayload'),
    description: "Cancels one of the viewer's active orders and gives its stock back.",
    args: { input: t.arg({ type: CancelOrderInputRef, required: true }) },
    resolve: (_root, { input }, { services, viewer, mutationAllowed }) =>
      limited(mutationAllowed, async () => {
        const customer = await viewer();
        if (!customer) return notAuthenticated();
        return services.cancelOrder(customer.id, String(input.orderId));
      }),
  }),
);
