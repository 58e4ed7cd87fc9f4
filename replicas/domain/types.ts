// Domain records as they are stored on the replicas and sent to the gateway.
// Money is always integer minor units (pence).

export const ERROR_CODES = [
  'INVALID_INPUT',
  'INVALID_POSTCODE',
  'POSTCODE_SERVICE_UNAVAILABLE',
  'NOT_AUTHENTICATED',
  'UNKNOWN_PRODUCT',
  'UNKNOWN_DELIVERY_OPTION',
  'OUT_OF_STOCK',
  'ORDER_NOT_FOUND',
  'ORDER_NOT_CANCELLABLE',
  'SERVICE_UNAVAILABLE',
  'RATE_LIMITED',
  'IDEMPOTENCY_KEY_REUSED',
  'INVALID_TRANSITION',
  'STAFF_NOT_FOUND',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface UserError {
  code: ErrorCode;
  message: string;
  field?: string[];
}

/** A result that is either a value or the user's errors: expected failures are data. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; errors: UserError[] };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = <T = never>(...errors: UserError[]): Outcome<T> => ({ ok: false, errors });
export const userError = (code: ErrorCode, message: string, field?: string[]): UserError =>
  field ? { code, message, field } : { code, message };

export interface Product {
  id: string;
  name: string;
  description: string;
  priceMinor: number;
  stock: number;
}

export interface DeliveryOption {
  id: string;
  name: string;
  description: string;
  costMinor: number;
  /** Absent in a catalogue or order from before the lifecycle: delivered by a rider (see `fulfilmentOf`). */
  fulfilment?: Fulfilment;
}

export interface ContactDetails {
  firstName: string;
  lastName: string;
  phone: string;
  postcode: string;
  address: string;
}

export interface Customer extends ContactDetails {
  id: string;
}

/** An order's status in its life after it is placed (lifecycle.ts says which moves there are). */
export const ORDER_STATUSES = ['PLACED', 'ACCEPTED', 'PREPARING', 'READY', 'OUT_FOR_DELIVERY', 'DELIVERED', 'COLLECTED', 'REJECTED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Who makes a move: the customer who placed the order, or a member of staff in one of three roles. */
export const ACTOR_ROLES = ['CUSTOMER', 'KITCHEN', 'COURIER', 'OPERATOR'] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];

/** The roles a member of staff may have (the customer's role is the customer's own). */
export const STAFF_ROLES = ['KITCHEN', 'COURIER', 'OPERATOR'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** A member of staff: who moves orders along (lifecycle.ts), known by a bearer token kept only as its hash. */
export interface Staff {
  id: string;
  name: string;
  role: StaffRole;
}

/** How an order reaches its customer: a rider brings it, or the customer collects it. */
export const FULFILMENTS = ['DELIVERY', 'COLLECTION'] as const;
export type Fulfilment = (typeof FULFILMENTS)[number];

/** One move in an order's life: the status it reached, when, and who made the move. */
export interface TimelineEntry {
  status: OrderStatus;
  at: string;
  by: ActorRole;
}

export interface OrderLine {
  productId: string;
  productName: string;
  quantity: number;
  unitPriceMinor: number;
  lineTotalMinor: number;
}

export interface Quote {
  lines: OrderLine[];
  subtotalMinor: number;
  deliveryCostMinor: number;
  tipMinor: number;
  totalMinor: number;
}

export interface Order extends Quote {
  id: string;
  customerId: string;
  idempotencyKey: string;
  status: OrderStatus;
  createdAt: string;
  /** The delivery option as it was when the order was placed. */
  deliveryOption: DeliveryOption;
  /** Every move, in order, from PLACED (an order from before the lifecycle is given one where it is read: see `withTimeline`). */
  timeline: TimelineEntry[];
  /** Why the kitchen rejected it. */
  rejectReason?: string;
  /** Who it is for and where, as the customer's details were when it was placed (absent in an order from before: see the customer). */
  deliverTo?: DeliveryContact;
}

/** The name, phone and address an order goes to, kept with the order: a later change of details does not move it. */
export interface DeliveryContact {
  name: string;
  phone: string;
  address: string;
  postcode: string;
}

export interface OrderLineInput {
  productId: string;
  quantity: number;
}

export interface QuoteInput {
  lines: OrderLineInput[];
  deliveryOptionId?: string | null;
  tipMinorUnits?: number | null;
}

export interface OrderPage {
  orders: Order[];
  totalCount: number;
  hasNextPage: boolean;
}

export interface Catalog {
  products: Product[];
  deliveryOptions: DeliveryOption[];
}

// The domain's limits live in limits.ts (protocol.ts imports them too).
export {
  CONTACT_FIELD_CHARS_MAX,
  ID_CHARS_MAX,
  IDEMPOTENCY_KEY_CHARS_MAX,
  ORDER_LINES_MAX,
  ORDERS_PAGE_DEFAULT,
  ORDERS_PAGE_MAX,
  QUANTITY_MAX,
  TIP_MINOR_MAX,
} from './limits.ts';
