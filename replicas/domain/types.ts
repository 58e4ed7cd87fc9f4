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

export type OrderStatus = 'ACTIVE' | 'CANCELLED';

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
