// Staff move orders along their lifecycle (replicas/domain/lifecycle.ts):
// who may use these fields is declared with scope-auth; which moves each
// role may make is the lifecycle's to say (INVALID_TRANSITION otherwise).
import { FINAL_STATUSES } from '../../replicas/domain/lifecycle.ts';
import { ORDER_STATUSES, ORDERS_PAGE_MAX } from '../../replicas/domain/types.ts';
import { STAFF, builder } from '../builder.ts';
import { OrderRef, OrderStatusRef, ordersPageSize } from '../types/order.ts';
import { IDEMPOTENCY_KEY_DESCRIPTION, limited, orderPayload } from './payloads.ts';

const MoveOrderInputRef = builder.inputType('MoveOrderInput', {
  fields: (t) => ({
    orderId: t.id({ required: true }),
    to: t.field({ type: OrderStatusRef, required: true, description: 'The status to move the order to.' }),
    reason: t.string({ required: false, description: 'Why the order is rejected (REJECTED only; the customer is told).' }),
    idempotencyKey: t.string({ required: false, description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

builder.mutationField('moveOrder', (t) =>
  t.field({
    type: orderPayload('MoveOrderPayload'),
    description:
      'Moves an order one step (staff only): the kitchen accepts, prepares, readies, rejects (with a reason) and hands over Collection orders; ' +
      'couriers take ready delivery orders out and deliver them; operators may do both. Any other move is refused with INVALID_TRANSITION, naming the order\'s status. ' +
      'Repeating a move already made is a success that changes nothing.',
    authScopes: STAFF,
    args: { input: t.arg({ type: MoveOrderInputRef, required: true }) },
    resolve: (_root, { input }, { services, staff, mutationAllowed }) =>
      limited(mutationAllowed, async () => {
        const member = await staff();
        // The scopes above let only staff in.
        if (!member) throw new Error('moveOrder ran without a member of staff');
        return services.moveOrder(member, { orderId: String(input.orderId), to: input.to, reason: input.reason, idempotencyKey: input.idempotencyKey });
      }),
  }),
);

const OPEN_STATUSES = ORDER_STATUSES.filter((status) => !FINAL_STATUSES.has(status));

builder.queryField('staffOrders', (t) =>
  t.field({
    type: [OrderRef],
    description: `Orders in these statuses (default: every status an order can still leave), oldest first, at most \`first\` (1 to ${ORDERS_PAGE_MAX}, default ${ORDERS_PAGE_MAX}): what staff work through. Staff only.`,
    authScopes: STAFF,
    args: {
      statuses: t.arg({ type: [OrderStatusRef], required: false }),
      first: t.arg.int({ required: false }),
    },
    resolve: (_root, { statuses, first }, { services }) => {
      const count = ordersPageSize(first, ORDERS_PAGE_MAX);
      return services.ordersInStatus(statuses && statuses.length > 0 ? [...new Set(statuses)] : OPEN_STATUSES, count);
    },
  }),
);
