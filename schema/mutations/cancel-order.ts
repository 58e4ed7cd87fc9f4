import { builder } from '../builder.ts';
import { IDEMPOTENCY_KEY_DESCRIPTION, limited, notAuthenticated, orderPayload } from './payloads.ts';

const CancelOrderInputRef = builder.inputType('CancelOrderInput', {
  fields: (t) => ({
    orderId: t.id({ required: true }),
    idempotencyKey: t.string({ required: false, description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

builder.mutationField('cancelOrder', (t) =>
  t.field({
    type: orderPayload('CancelOrderPayload'),
    description:
      "Cancels one of the viewer's orders while it is PLACED or ACCEPTED (before the kitchen starts preparing it) and gives its stock back. " +
      'Cancelling an order already cancelled is a success that changes nothing; any other is refused with ORDER_NOT_CANCELLABLE, naming its status.',
    args: { input: t.arg({ type: CancelOrderInputRef, required: true }) },
    resolve: (_root, { input }, { services, viewerId, mutationAllowed }) =>
      limited(mutationAllowed, async () => {
        const customerId = await viewerId();
        if (!customerId) return notAuthenticated();
        return services.cancelOrder(customerId, String(input.orderId), input.idempotencyKey);
      }),
  }),
);
