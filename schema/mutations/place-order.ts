import { builder } from '../builder.ts';
import { OrderLineInputRef } from '../types/inputs.ts';
import { IDEMPOTENCY_KEY_DESCRIPTION, limited, notAuthenticated, orderPayload } from './payloads.ts';

const PlaceOrderInputRef = builder.inputType('PlaceOrderInput', {
  fields: (t) => ({
    idempotencyKey: t.string({ required: true, description: `One per checkout. ${IDEMPOTENCY_KEY_DESCRIPTION}` }),
    lines: t.field({ type: [OrderLineInputRef], required: true }),
    deliveryOptionId: t.id({ required: true }),
    tipMinorUnits: t.int({ required: false }),
  }),
});

builder.mutationField('placeOrder', (t) =>
  t.field({
    type: orderPayload('PlaceOrderPayload'),
    description: 'Places an order, taking its stock atomically (all lines or none).',
    args: { input: t.arg({ type: PlaceOrderInputRef, required: true }) },
    resolve: (_root, { input }, { services, viewerId, mutationAllowed }) =>
      limited(mutationAllowed, async () => {
        const customerId = await viewerId();
        if (!customerId) return notAuthenticated();
        return services.placeOrder(customerId, {
          idempotencyKey: input.idempotencyKey,
          lines: input.lines.map((l) => ({ productId: String(l.productId), quantity: l.quantity })),
          deliveryOptionId: String(input.deliveryOptionId),
          tipMinorUnits: input.tipMinorUnits ?? null,
        });
      }),
  }),
);
