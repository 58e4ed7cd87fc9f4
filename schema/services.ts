// What the GraphQL schema needs from the gateway. The schema owns this
// interface and the gateway implements it, so dependencies run one way
// (server/ -> schema/). Resolvers stay thin: each one translates GraphQL to one
// of these calls and the result back.
import type {
  ContactDetails,
  Customer,
  DeliveryOption,
  Order,
  OrderPage,
  OrderStatus,
  Outcome,
  Product,
  Quote,
  QuoteInput,
  UserError,
  Staff,
} from '../replicas/domain/types.ts';

export type ReplicaRole = 'PRIMARY' | 'BACKUP' | 'CATCHING_UP' | 'OFFLINE';

export interface ReplicaInfo {
  name: string;
  url: string;
  role: ReplicaRole;
  appliedSeq: number;
  lastHeartbeatAt: string | null;
}

export interface ClusterInfo {
  epoch: number;
  writable: boolean;
  /** Why orders cannot be taken now; null when they can. */
  unwritableReason: string | null;
  primary: ReplicaInfo | null;
  replicas: ReplicaInfo[];
}

export interface ReplicaStatusEvent {
  replica: ReplicaInfo;
  previousRole: ReplicaRole | null;
  epoch: number;
  at: string;
}

export interface PostcodeCheckResult {
  postcode: string;
  valid: boolean;
  errors: UserError[];
}

export interface OrdersQuery {
  status?: OrderStatus | null;
  /** Only orders that stand, or only cancelled and rejected ones. */
  active?: boolean | null;
  first: number;
  /** Only orders with an id below this one (the cursor of the last one seen). */
  beforeId?: string | null;
}

export interface PlaceOrderInput extends QuoteInput {
  idempotencyKey: string;
  deliveryOptionId: string;
}

/** The pacing a subscriber to stockChanged or stockLevels may ask for. */
export const STOCK_PACE_MS = { min: 250, max: 60_000 } as const;

export interface Services {
  products(): Promise<Product[]>;
  deliveryOptions(): Promise<DeliveryOption[]>;
  quote(input: QuoteInput): Promise<Outcome<Quote>>;
  customerByToken(token: string): Promise<Customer | null>;
  /** The id of the customer behind a token (remembered: a token never changes owner). */
  customerIdByToken(token: string): Promise<string | null>;
  orders(customerId: string, query: OrdersQuery): Promise<OrderPage>;
  order(customerId: string, orderId: string): Promise<Order | null>;
  /**
   * Creates a customer (viewerId null, returns a token) or updates the viewer.
   * With an idempotency key, a retry gets the first answer (a sign-up's token too).
   */
  saveContactDetails(
    viewerId: string | null,
    input: ContactDetails,
    idempotencyKey?: string | null,
  ): Promise<Outcome<{ customer: Customer; token: string | null }>>;
  placeOrder(customerId: string, input: PlaceOrderInput): Promise<Outcome<Order>>;
  /** Cancelling a cancelled order of one's own is a success that changes nothing. */
  cancelOrder(customerId: string, orderId: string, idempotencyKey?: string | null): Promise<Outcome<Order>>;
  /** The member of staff behind a staff token, or null (at once, with no lookup, for any other token). */
  staffByToken(token: string): Promise<Staff | null>;
  /** A move of any order by a member of staff (lifecycle.ts says which they may make). */
  moveOrder(staff: Staff, input: { orderId: string; to: OrderStatus; reason?: string | null; idempotencyKey?: string | null }): Promise<Outcome<Order>>;
  /** Orders in these statuses, oldest first: what staff work through. */
  ordersInStatus(statuses: OrderStatus[], first: number): Promise<Order[]>;
  cluster(): ClusterInfo;
  checkPostcode(postcode: string): Promise<PostcodeCheckResult>;

  // Live feeds. Each call starts one subscriber's stream; returning from the
  // iterator ends it.
  orderStatusChanged(customerId: string): AsyncIterable<Order>;
  /** Every order placed or moved, whoever's, for one member of staff (what staff follow): it ends, FORBIDDEN, when they are removed. */
  staffOrderChanged(staffId: string): AsyncIterable<Order>;
  /** Every stock change; or, paced, at most one event per product every `atMostEveryMs` with its latest stock. */
  stockChanged(atMostEveryMs: number | null): AsyncIterable<Product>;
  /** The products whose stock changed in each interval of `everyMs`, with their latest stock, in one event. */
  stockLevels(everyMs: number): AsyncIterable<Product[]>;
  replicaStatusChanged(): AsyncIterable<ReplicaStatusEvent>;
  clusterChanged(): AsyncIterable<ClusterInfo>;
}
