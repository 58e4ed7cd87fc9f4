// An order's life after it is placed: the statuses it goes through, which
// moves between them exist, and who may make each. Pure, like the rest of the
// domain: the primary checks a move here once, and the effect it commits
// carries the result (issue 16; README, "Order lifecycle").
//
//   PLACED -> ACCEPTED -> PREPARING -> READY -> OUT_FOR_DELIVERY -> DELIVERED
//      |          |                     |
//      |          +-> CANCELLED         +-> COLLECTED  (Collection orders)
//      +-> REJECTED (kitchen, with a reason)
//      +-> CANCELLED (customer)
import { storableText } from './text.ts';
import { type ActorRole, type DeliveryOption, type TimelineEntry, type Fulfilment, type Order, type OrderStatus as LifecycleStatus, type Outcome, fail, ok, userError } from './types.ts';

export { ACTOR_ROLES, type ActorRole, type Fulfilment, ORDER_STATUSES, type OrderStatus as LifecycleStatus } from './types.ts';

interface Move {
  from: LifecycleStatus;
  to: LifecycleStatus;
  by: readonly ActorRole[];
  /** Only for orders fulfilled this way (any, if absent). */
  only?: Fulfilment;
}

/** An operator may make every move the kitchen and couriers make (to unstick an order), but not the customer's. */
export const KITCHEN: readonly ActorRole[] = ['KITCHEN', 'OPERATOR'];
export const COURIER: readonly ActorRole[] = ['COURIER', 'OPERATOR'];

/** Every move there is; any other is refused. */
export const MOVES: readonly Move[] = [
  { from: 'PLACED', to: 'ACCEPTED', by: KITCHEN },
  { from: 'PLACED', to: 'REJECTED', by: KITCHEN },
  { from: 'PLACED', to: 'CANCELLED', by: ['CUSTOMER'] },
  { from: 'ACCEPTED', to: 'CANCELLED', by: ['CUSTOMER'] },
  { from: 'ACCEPTED', to: 'PREPARING', by: KITCHEN },
  { from: 'PREPARING', to: 'READY', by: KITCHEN },
  { from: 'READY', to: 'OUT_FOR_DELIVERY', by: COURIER, only: 'DELIVERY' },
  { from: 'OUT_FOR_DELIVERY', to: 'DELIVERED', by: COURIER, only: 'DELIVERY' },
  { from: 'READY', to: 'COLLECTED', by: KITCHEN, only: 'COLLECTION' },
];

/** Statuses an order never leaves. */
export const FINAL_STATUSES: ReadonlySet<LifecycleStatus> = new Set(['DELIVERED', 'COLLECTED', 'REJECTED', 'CANCELLED']);

/** Statuses whose move there gives the order's stock back. */
export const STOCK_RETURNED: ReadonlySet<LifecycleStatus> = new Set(['REJECTED', 'CANCELLED']);

/**
 * Whether an order in this status stands, in the first version's sense
 * (ACTIVE, as opposed to CANCELLED): neither cancelled nor rejected.
 */
export const isActive = (status: LifecycleStatus): boolean => !STOCK_RETURNED.has(status);

/** How an order placed with this option reaches its customer; options from before the lifecycle were all delivered, bar the first catalogue's "collection". */
export function fulfilmentOf(option: Pick<DeliveryOption, 'id' | 'fulfilment'>): Fulfilment {
  return option.fulfilment ?? (option.id === 'collection' ? 'COLLECTION' : 'DELIVERY');
}

/**
 * An order as the lifecycle knows it: an order from before the lifecycle
 * (ACTIVE, no timeline) was PLACED when it was created. Applied where orders
 * come in, once: to the wire (`OrderRecord`, which effects and snapshots
 * carry) and to a store's rows when it is upgraded.
 */
export function withTimeline(order: Omit<Order, 'status' | 'timeline'> & { status: LifecycleStatus | 'ACTIVE'; timeline?: TimelineEntry[] }): Order {
  const status = order.status === 'ACTIVE' ? 'PLACED' : order.status;
  if (order.timeline) return { ...order, status, timeline: order.timeline };
  const timeline: TimelineEntry[] = [{ status: 'PLACED', at: order.createdAt, by: 'CUSTOMER' }];
  if (status === 'CANCELLED') timeline.push({ status: 'CANCELLED', at: order.createdAt, by: 'CUSTOMER' });
  return { ...order, status, timeline };
}

/** A rejection's reason: what the kitchen tells the customer. */
export const REJECT_REASON_CHARS_MAX = 500;

const WORDS: Record<LifecycleStatus, string> = {
  PLACED: 'placed',
  ACCEPTED: 'accepted',
  PREPARING: 'being prepared',
  READY: 'ready',
  OUT_FOR_DELIVERY: 'out for delivery',
  DELIVERED: 'delivered',
  COLLECTED: 'collected',
  REJECTED: 'rejected',
  CANCELLED: 'cancelled',
};

/** How every refusal names the order and where it is: "Order 3 is being prepared (PREPARING)". */
const orderIsNow = (order: { id: string; status: LifecycleStatus }): string => `Order ${order.id} is ${WORDS[order.status]} (${order.status})`;

const ROLE_WORDS: Record<ActorRole, string> = { CUSTOMER: 'the customer', KITCHEN: 'the kitchen', COURIER: 'a courier', OPERATOR: 'an operator' };

/**
 * Checks one move of an order: allowed (with a rejection's reason as it is
 * stored), or refused with INVALID_TRANSITION naming the order's current
 * status (or INVALID_INPUT for a rejection without a storable reason). A move
 * to the status the order already has, by someone who may make it, is a
 * repeat of a move already made: the caller answers it as the success it was.
 */
export function checkMove(
  order: { id: string; status: LifecycleStatus; fulfilment: Fulfilment },
  to: LifecycleStatus,
  by: ActorRole,
  reason: string | null = null,
): Outcome<{ step: 'move' | 'already'; reason: string | null }> {
  const move = MOVES.find((m) => m.from === order.status && m.to === to && (m.only === undefined || m.only === order.fulfilment));
  const repeat = MOVES.some((m) => m.to === to && m.by.includes(by) && (m.only === undefined || m.only === order.fulfilment));
  if (order.status === to && repeat) return ok({ step: 'already', reason: null });
  const now = orderIsNow(order);
  if (!move) return fail(userError('INVALID_TRANSITION', `${now}, so it cannot move to ${to}.`, ['to']));
  if (!move.by.includes(by)) return fail(userError('INVALID_TRANSITION', `${now}: only ${move.by.map((r) => ROLE_WORDS[r]).join(' or ')} may move it to ${to}.`, ['to']));
  if (to !== 'REJECTED') return ok({ step: 'move', reason: null });
  const text = checkRejectReason(reason);
  return text.ok ? ok({ step: 'move', reason: text.value }) : text;
}

/** A rejection's reason as it is stored (the gateway also asks, to answer one too long for the wire as the primary would). */
export function checkRejectReason(reason: string | null | undefined): Outcome<string> {
  return storableText(reason ?? '', { label: 'The reason', field: ['reason'], max: REJECT_REASON_CHARS_MAX, required: 'Say why the order is rejected: the customer is told.' });
}

/** A member of staff's name as it is stored, as a customer's names are (the gateway also asks, for the same reason). */
export function checkStaffName(name: string): Outcome<string> {
  return storableText(name, { label: 'The name', field: ['name'], max: STAFF_NAME_CHARS_MAX, required: `A name is 1 to ${STAFF_NAME_CHARS_MAX} characters.` });
}

const STAFF_NAME_CHARS_MAX = 100;

/**
 * A customer's cancel: the move to CANCELLED, refused as cancelOrder always
 * has refused (ORDER_NOT_CANCELLABLE, on the order id, in words for the
 * customer), naming the order's status; moveOrder's refusals are
 * INVALID_TRANSITION. Cancelling a cancelled order is a success.
 */
export function checkCancel(order: { id: string; status: LifecycleStatus; fulfilment: Fulfilment }): Outcome<{ step: 'move' | 'already'; reason: string | null }> {
  const checked = checkMove(order, 'CANCELLED', 'CUSTOMER');
  if (checked.ok) return checked;
  return fail(userError('ORDER_NOT_CANCELLABLE', `${orderIsNow(order)}: only an order that is placed or accepted, before the kitchen starts preparing it, can be cancelled.`, ['orderId']));
}
