/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
};

/** Who made a move: the customer, or staff in a role. */
export type ActorRole =
  | 'COURIER'
  | 'CUSTOMER'
  | 'KITCHEN'
  | 'OPERATOR';

export type CancelOrderInput = {
  /** Send the request again with the same key (after a timeout, a dropped connection) and get the first answer; nothing is done twice. The key is bound to the request: the same key with different input is refused with IDEMPOTENCY_KEY_REUSED and changes nothing. Keys are taken exactly as sent (no trimming), 1 to 128 characters without control characters, one namespace per customer; a refused request is not remembered. */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  orderId: Scalars['ID']['input'];
};

export type CancelOrderPayload = {
  __typename?: 'CancelOrderPayload';
  errors: Array<UserError>;
  order?: Maybe<Order>;
};

/** The current view: epoch, primary, and every known replica. */
export type Cluster = {
  __typename?: 'Cluster';
  epoch: Scalars['Int']['output'];
  primary?: Maybe<Replica>;
  replicas: Array<Replica>;
  /** Why orders cannot be taken now, in words for an operator (e.g. no live replica holds every committed write, or the catalogue is not loaded yet); null when they can. */
  unwritableReason?: Maybe<Scalars['String']['output']>;
  /** Whether orders can be taken now (a live primary that holds every committed write, enough replicas in the view, and the catalogue loaded). GET /readyz gives the same answer. */
  writable: Scalars['Boolean']['output'];
};

/** One contact detail checked by the rules saveContactDetails applies, without saving anything. */
export type ContactDetailCheck = {
  __typename?: 'ContactDetailCheck';
  errors: Array<UserError>;
  /** The form it would be stored in (trimmed; a phone number in E.164, a postcode normalised), or null when it is refused. */
  value?: Maybe<Scalars['String']['output']>;
};

/** One field of ContactDetailsInput. */
export type ContactDetailField =
  | 'ADDRESS'
  | 'FIRST_NAME'
  | 'LAST_NAME'
  | 'PHONE'
  | 'POSTCODE';

export type ContactDetailsInput = {
  address: Scalars['String']['input'];
  firstName: Scalars['String']['input'];
  /** Send the request again with the same key (after a timeout, a dropped connection) and get the first answer; nothing is done twice. The key is bound to the request: the same key with different input is refused with IDEMPOTENCY_KEY_REUSED and changes nothing. Keys are taken exactly as sent (no trimming), 1 to 128 characters without control characters, one namespace per customer; a refused request is not remembered. A sign-up's key (no token sent) must be random and at least 16 characters: a retry with it gets the same customer and token. */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  lastName: Scalars['String']['input'];
  /** A UK number unless it starts with +. */
  phone: Scalars['String']['input'];
  postcode: Scalars['String']['input'];
};

/** The customer behind a bearer token. */
export type Customer = {
  __typename?: 'Customer';
  address: Scalars['String']['output'];
  firstName: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  lastName: Scalars['String']['output'];
  /** Order history, newest first; `first` from 1 to 100 (default 20). */
  orders: OrderConnection;
  /** E.164, e.g. +442079460018. */
  phone: Scalars['String']['output'];
  postcode: Scalars['String']['output'];
};


/** The customer behind a bearer token. */
export type CustomerOrdersArgs = {
  active?: InputMaybe<Scalars['Boolean']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<OrderStatus>;
};

/** The name, phone (E.164) and address an order goes to. */
export type DeliveryContact = {
  __typename?: 'DeliveryContact';
  address: Scalars['String']['output'];
  name: Scalars['String']['output'];
  phone: Scalars['String']['output'];
  postcode: Scalars['String']['output'];
};

/** A way to get the order to the customer, with its cost. */
export type DeliveryOption = {
  __typename?: 'DeliveryOption';
  cost: Money;
  description: Scalars['String']['output'];
  /** DELIVERY: a rider brings the order (OUT_FOR_DELIVERY, then DELIVERED); COLLECTION: the customer collects it when READY (COLLECTED). */
  fulfilment: Fulfilment;
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
};

export type ErrorCode =
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'INVALID_INPUT'
  | 'INVALID_POSTCODE'
  | 'INVALID_TRANSITION'
  | 'NOT_AUTHENTICATED'
  | 'ORDER_NOT_CANCELLABLE'
  | 'ORDER_NOT_FOUND'
  | 'OUT_OF_STOCK'
  | 'POSTCODE_SERVICE_UNAVAILABLE'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'STAFF_NOT_FOUND'
  | 'UNKNOWN_DELIVERY_OPTION'
  | 'UNKNOWN_PRODUCT';

/** How an order reaches its customer. */
export type Fulfilment =
  | 'COLLECTION'
  | 'DELIVERY';

/** An amount of money in integer minor units (pence). */
export type Money = {
  __typename?: 'Money';
  currency: Scalars['String']['output'];
  /** For display, e.g. "£12.50". */
  formatted: Scalars['String']['output'];
  minorUnits: Scalars['Int']['output'];
};

export type MoveOrderInput = {
  /** Send the request again with the same key (after a timeout, a dropped connection) and get the first answer; nothing is done twice. The key is bound to the request: the same key with different input is refused with IDEMPOTENCY_KEY_REUSED and changes nothing. Keys are taken exactly as sent (no trimming), 1 to 128 characters without control characters, one namespace per customer; a refused request is not remembered. */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  orderId: Scalars['ID']['input'];
  /** Why the order is rejected (REJECTED only; the customer is told). */
  reason?: InputMaybe<Scalars['String']['input']>;
  /** The status to move the order to. */
  to: OrderStatus;
};

export type MoveOrderPayload = {
  __typename?: 'MoveOrderPayload';
  errors: Array<UserError>;
  order?: Maybe<Order>;
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Cancels one of the viewer's orders while it is PLACED or ACCEPTED (before the kitchen starts preparing it) and gives its stock back. Cancelling an order already cancelled is a success that changes nothing; any other is refused with ORDER_NOT_CANCELLABLE, naming its status. */
  cancelOrder: CancelOrderPayload;
  /** Moves an order one step (staff only): the kitchen accepts, prepares, readies, rejects (with a reason) and hands over Collection orders; couriers take ready delivery orders out and deliver them; operators may do both. Any other move is refused with INVALID_TRANSITION, naming the order's status. Repeating a move already made is a success that changes nothing. */
  moveOrder: MoveOrderPayload;
  /** Places an order, taking its stock atomically (all lines or none). */
  placeOrder: PlaceOrderPayload;
  /** Without a token: creates a customer and returns its token. With one: updates that customer. */
  saveContactDetails: SaveContactDetailsPayload;
};


export type MutationCancelOrderArgs = {
  input: CancelOrderInput;
};


export type MutationMoveOrderArgs = {
  input: MoveOrderInput;
};


export type MutationPlaceOrderArgs = {
  input: PlaceOrderInput;
};


export type MutationSaveContactDetailsArgs = {
  input: ContactDetailsInput;
};

/** A placed order. Ids grow with every order. */
export type Order = {
  __typename?: 'Order';
  /** Whether the order stands (the first version's ACTIVE): neither cancelled nor rejected. */
  active: Scalars['Boolean']['output'];
  createdAt: Scalars['String']['output'];
  /** Who the order is for and where, as the customer's details were when it was placed (null for an order placed before this was kept). */
  deliverTo?: Maybe<DeliveryContact>;
  deliveryCost: Money;
  deliveryOption: DeliveryOption;
  id: Scalars['ID']['output'];
  lines: Array<OrderLine>;
  /** Why the kitchen rejected the order. */
  rejectReason?: Maybe<Scalars['String']['output']>;
  status: OrderStatus;
  subtotal: Money;
  /** Every move of the order, oldest first, from PLACED. */
  timeline: Array<TimelineEntry>;
  tip: Money;
  total: Money;
};

/** A page of orders, newest first. */
export type OrderConnection = {
  __typename?: 'OrderConnection';
  edges: Array<OrderEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type OrderEdge = {
  __typename?: 'OrderEdge';
  cursor: Scalars['String']['output'];
  node: Order;
};

/** A dish and quantity in an order, at the price it had then. */
export type OrderLine = {
  __typename?: 'OrderLine';
  lineTotal: Money;
  product: Product;
  productName: Scalars['String']['output'];
  quantity: Scalars['Int']['output'];
  unitPrice: Money;
};

export type OrderLineInput = {
  productId: Scalars['ID']['input'];
  /** From 1 to 99. */
  quantity: Scalars['Int']['input'];
};

/** What a cart would cost: subtotal + delivery + tip. */
export type OrderQuote = {
  __typename?: 'OrderQuote';
  deliveryCost: Money;
  lines: Array<OrderLine>;
  subtotal: Money;
  tip: Money;
  total: Money;
};

export type OrderQuoteInput = {
  deliveryOptionId?: InputMaybe<Scalars['ID']['input']>;
  lines: Array<OrderLineInput>;
  /** A tip in pence, from 0 to 10000. */
  tipMinorUnits?: InputMaybe<Scalars['Int']['input']>;
};

export type OrderQuotePayload = {
  __typename?: 'OrderQuotePayload';
  errors: Array<UserError>;
  quote?: Maybe<OrderQuote>;
};

/** Where an order is in its life: PLACED -> ACCEPTED -> PREPARING -> READY -> OUT_FOR_DELIVERY -> DELIVERED, or READY -> COLLECTED for Collection; the kitchen may reject a PLACED order (REJECTED), the customer cancel a PLACED or ACCEPTED one (CANCELLED). */
export type OrderStatus =
  | 'ACCEPTED'
  | 'CANCELLED'
  | 'COLLECTED'
  | 'DELIVERED'
  | 'OUT_FOR_DELIVERY'
  | 'PLACED'
  | 'PREPARING'
  | 'READY'
  | 'REJECTED';

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type PlaceOrderInput = {
  deliveryOptionId: Scalars['ID']['input'];
  /** One per checkout. Send the request again with the same key (after a timeout, a dropped connection) and get the first answer; nothing is done twice. The key is bound to the request: the same key with different input is refused with IDEMPOTENCY_KEY_REUSED and changes nothing. Keys are taken exactly as sent (no trimming), 1 to 128 characters without control characters, one namespace per customer; a refused request is not remembered. */
  idempotencyKey: Scalars['String']['input'];
  lines: Array<OrderLineInput>;
  tipMinorUnits?: InputMaybe<Scalars['Int']['input']>;
};

export type PlaceOrderPayload = {
  __typename?: 'PlaceOrderPayload';
  errors: Array<UserError>;
  order?: Maybe<Order>;
};

/** Whether a postcode is a real UK postcode (normalised, e.g. "SW1A 1AA"). */
export type PostcodeCheck = {
  __typename?: 'PostcodeCheck';
  errors: Array<UserError>;
  postcode: Scalars['String']['output'];
  valid: Scalars['Boolean']['output'];
};

/** A dish on the menu, with its current stock. */
export type Product = {
  __typename?: 'Product';
  description: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  price: Money;
  stock: Scalars['Int']['output'];
};

export type Query = {
  __typename?: 'Query';
  cluster: Cluster;
  /** Checks one contact detail as saveContactDetails would (a form checks each field as it is typed), without saving anything. A postcode's format is checked here; whether it exists, by the postcode query. */
  contactDetail: ContactDetailCheck;
  deliveryOptions: Array<DeliveryOption>;
  /** One of the viewer's own orders; null if the viewer has no order with this id. An id no order can have (empty, or over 200 characters) is refused at once, before any lookup, with a GraphQL error whose `extensions` are `{ code: "INVALID_INPUT", field: ["id"] }`. */
  order?: Maybe<Order>;
  /** What a cart would cost, without placing it. */
  orderQuote: OrderQuotePayload;
  postcode: PostcodeCheck;
  /** The menu, with live stock. */
  products: Array<Product>;
  /** Orders in these statuses (default: every status an order can still leave), oldest first, at most `first` (1 to 100, default 100): what staff work through. Staff only. */
  staffOrders: Array<Order>;
  /** The member of staff whose token is sent; null for any other request (a customer's token, none, or a staff token that was removed). */
  staffViewer?: Maybe<StaffMember>;
  /** The customer behind the bearer token; null without a valid one. */
  viewer?: Maybe<Customer>;
};


export type QueryContactDetailArgs = {
  field: ContactDetailField;
  value: Scalars['String']['input'];
};


export type QueryOrderArgs = {
  id: Scalars['ID']['input'];
};


export type QueryOrderQuoteArgs = {
  input: OrderQuoteInput;
};


export type QueryPostcodeArgs = {
  postcode: Scalars['String']['input'];
};


export type QueryStaffOrdersArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  statuses?: InputMaybe<Array<OrderStatus>>;
};

/** A replica as the view service sees it. */
export type Replica = {
  __typename?: 'Replica';
  appliedSeq: Scalars['Int']['output'];
  /** When the view service last heard from the replica. Operators only: null with a FORBIDDEN error for any other token (or none). */
  lastHeartbeatAt?: Maybe<Scalars['String']['output']>;
  name: Scalars['String']['output'];
  role: ReplicaRole;
  /** Where the replica listens. Operators only: for any other token (or none) a FORBIDDEN error, and, as this cannot be null, the replica is null with it (up to the nearest field that may be null). */
  url: Scalars['String']['output'];
};

export type ReplicaRole =
  | 'BACKUP'
  | 'CATCHING_UP'
  | 'OFFLINE'
  | 'PRIMARY';

export type ReplicaStatusEvent = {
  __typename?: 'ReplicaStatusEvent';
  at: Scalars['String']['output'];
  epoch: Scalars['Int']['output'];
  previousRole?: Maybe<ReplicaRole>;
  replica: Replica;
};

export type SaveContactDetailsPayload = {
  __typename?: 'SaveContactDetailsPayload';
  customer?: Maybe<Customer>;
  errors: Array<UserError>;
  /** Only when a customer is created: send it as "Authorization: Bearer <token>" from then on. */
  token?: Maybe<Scalars['String']['output']>;
};

/** A member of staff (just-hungry staff add). */
export type StaffMember = {
  __typename?: 'StaffMember';
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  role: StaffRole;
};

/** What a member of staff may do: KITCHEN moves orders up to READY (and rejects them), COURIER takes ready deliveries out and delivers them, OPERATOR does both and sees the cluster's internals. */
export type StaffRole =
  | 'COURIER'
  | 'KITCHEN'
  | 'OPERATOR';

export type Subscription = {
  __typename?: 'Subscription';
  clusterChanged: Cluster;
  /** The viewer's orders, when placed and at each move after (accepted, preparing ... delivered or collected; rejected or cancelled): an order tracker, live. From the committed change feed, so exactly once and in order across a failover. */
  orderStatusChanged: Order;
  /** Each change of a replica's role, as the view service makes it. Operators only: with any other token (or none) the subscription is refused with FORBIDDEN. */
  replicaStatusChanged: ReplicaStatusEvent;
  /** Every order as it is placed and at each move, whoever's (staff only): the kitchen's and couriers' queues, live. From the committed change feed, so exactly once and in order across a failover. */
  staffOrderChanged: Order;
  /** Every product whose stock changes, with the new stock: every change, in order. With atMostEveryMs (250 to 60000), at most one event per product in that time, carrying its latest stock: what a menu needs (the level now, not every step), and far cheaper for the service to send to many. */
  stockChanged: Product;
  /** The products whose stock changed, each at its latest stock, all in one event at most every everyMs (250 to 60000, default 1000). What a menu needs: one message an interval however busy the shop, the cheapest way for the service to keep many menus live. */
  stockLevels: Array<Product>;
};


export type SubscriptionStockChangedArgs = {
  atMostEveryMs?: InputMaybe<Scalars['Int']['input']>;
};


export type SubscriptionStockLevelsArgs = {
  everyMs?: InputMaybe<Scalars['Int']['input']>;
};

/** One move in an order's life: the status it reached, when, and who made the move. */
export type TimelineEntry = {
  __typename?: 'TimelineEntry';
  at: Scalars['String']['output'];
  by: ActorRole;
  status: OrderStatus;
};

/** An expected failure the user can act on: a code, a message, and the input field it is about. */
export type UserError = {
  __typename?: 'UserError';
  code: ErrorCode;
  field?: Maybe<Array<Scalars['String']['output']>>;
  message: Scalars['String']['output'];
};

export type MoneyFieldsFragment = { __typename?: 'Money', minorUnits: number, currency: string, formatted: string };

export type OrderLineFieldsFragment = { __typename?: 'OrderLine', productName: string, quantity: number, product: { __typename?: 'Product', id: string }, unitPrice: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, lineTotal: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string } };

export type OrderFieldsFragment = { __typename?: 'Order', id: string, status: OrderStatus, active: boolean, createdAt: string, rejectReason?: string | null, timeline: Array<{ __typename?: 'TimelineEntry', status: OrderStatus, at: string, by: ActorRole }>, lines: Array<{ __typename?: 'OrderLine', productName: string, quantity: number, product: { __typename?: 'Product', id: string }, unitPrice: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, lineTotal: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string } }>, deliveryOption: { __typename?: 'DeliveryOption', id: string, name: string, fulfilment: Fulfilment }, deliverTo?: { __typename?: 'DeliveryContact', address: string, postcode: string } | null, subtotal: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, deliveryCost: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, tip: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, total: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string } };

export type UserErrorFieldsFragment = { __typename?: 'UserError', code: ErrorCode, message: string, field?: Array<string> | null };

export type ReplicaFieldsFragment = { __typename?: 'Replica', name: string, role: ReplicaRole, appliedSeq: number };

export type ReplicaInternalsFieldsFragment = { __typename?: 'Replica', url: string, lastHeartbeatAt?: string | null };

export type ClusterFieldsFragment = { __typename?: 'Cluster', epoch: number, writable: boolean, unwritableReason?: string | null, primary?: { __typename?: 'Replica', name: string } | null, replicas: Array<{ __typename?: 'Replica', name: string, role: ReplicaRole, appliedSeq: number }> };

export type OperatorClusterFieldsFragment = { __typename?: 'Cluster', epoch: number, writable: boolean, unwritableReason?: string | null, replicas: Array<{ __typename?: 'Replica', name: string, role: ReplicaRole, appliedSeq: number, url: string, lastHeartbeatAt?: string | null }>, primary?: { __typename?: 'Replica', name: string } | null };

export type StaffOrderFieldsFragment = { __typename?: 'Order', id: string, status: OrderStatus, createdAt: string, timeline: Array<{ __typename?: 'TimelineEntry', status: OrderStatus, at: string, by: ActorRole }>, lines: Array<{ __typename?: 'OrderLine', productName: string, quantity: number, product: { __typename?: 'Product', id: string } }>, deliveryOption: { __typename?: 'DeliveryOption', id: string, name: string, fulfilment: Fulfilment }, deliverTo?: { __typename?: 'DeliveryContact', name: string, phone: string, address: string, postcode: string } | null };

export type MenuQueryVariables = Exact<{ [key: string]: never; }>;


export type MenuQuery = { __typename?: 'Query', products: Array<{ __typename?: 'Product', id: string, name: string, description: string, stock: number, price: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string } }>, deliveryOptions: Array<{ __typename?: 'DeliveryOption', id: string, name: string, description: string, fulfilment: Fulfilment, cost: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string } }> };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { __typename?: 'Query', viewer?: { __typename?: 'Customer', id: string, firstName: string, lastName: string, phone: string, postcode: string, address: string } | null };

export type OrdersQueryVariables = Exact<{
  active?: InputMaybe<Scalars['Boolean']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type OrdersQuery = { __typename?: 'Query', viewer?: { __typename?: 'Customer', id: string, orders: { __typename?: 'OrderConnection', totalCount: number, edges: Array<{ __typename?: 'OrderEdge', cursor: string, node: { __typename?: 'Order', id: string, status: OrderStatus, active: boolean, createdAt: string, rejectReason?: string | null, timeline: Array<{ __typename?: 'TimelineEntry', status: OrderStatus, at: string, by: ActorRole }>, lines: Array<{ __typename?: 'OrderLine', productName: string, quantity: number, product: { __typename?: 'Product', id: string }, unitPrice: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, lineTotal: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string } }>, deliveryOption: { __typename?: 'DeliveryOption', id: string, name: string, fulfilment: Fulfilment }, deliverTo?: { __typename?: 'DeliveryContact', address: string, postcode: string } | null, subtotal: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, deliveryCost: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, tip: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, total: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string } } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } } | null };

export type OrderQuoteQueryVariables = Exact<{
  input: OrderQuoteInput;
}>;


export type OrderQuoteQuery = { __typename?: 'Query', orderQuote: { __typename?: 'OrderQuotePayload', quote?: { __typename?: 'OrderQuote', lines: Array<{ __typename?: 'OrderLine', productName: string, quantity: number, product: { __typename?: 'Product', id: string }, unitPrice: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, lineTotal: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string } }>, subtotal: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, deliveryCost: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, tip: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, total: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string } } | null, errors: Array<{ __typename?: 'UserError', code: ErrorCode, message: string, field?: Array<string> | null }> } };

export type WatchOrderQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type WatchOrderQuery = { __typename?: 'Query', order?: { __typename?: 'Order', id: string, status: OrderStatus, rejectReason?: string | null, deliveryOption: { __typename?: 'DeliveryOption', name: string }, timeline: Array<{ __typename?: 'TimelineEntry', status: OrderStatus, at: string, by: ActorRole }> } | null };

export type WatchOrdersSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type WatchOrdersSubscription = { __typename?: 'Subscription', orderStatusChanged: { __typename?: 'Order', id: string, status: OrderStatus, rejectReason?: string | null, deliveryOption: { __typename?: 'DeliveryOption', name: string }, timeline: Array<{ __typename?: 'TimelineEntry', status: OrderStatus, at: string, by: ActorRole }> } };

export type TimelineFieldsFragment = { __typename?: 'Order', id: string, status: OrderStatus, rejectReason?: string | null, deliveryOption: { __typename?: 'DeliveryOption', name: string }, timeline: Array<{ __typename?: 'TimelineEntry', status: OrderStatus, at: string, by: ActorRole }> };

export type OrderQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type OrderQuery = { __typename?: 'Query', order?: { __typename?: 'Order', id: string, status: OrderStatus, active: boolean, createdAt: string, rejectReason?: string | null, timeline: Array<{ __typename?: 'TimelineEntry', status: OrderStatus, at: string, by: ActorRole }>, lines: Array<{ __typename?: 'OrderLine', productName: string, quantity: number, product: { __typename?: 'Product', id: string }, unitPrice: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, lineTotal: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string } }>, deliveryOption: { __typename?: 'DeliveryOption', id: string, name: string, fulfilment: Fulfilment }, deliverTo?: { __typename?: 'DeliveryContact', address: string, postcode: string } | null, subtotal: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, deliveryCost: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, tip: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, total: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string } } | null };

export type ContactDetailQueryVariables = Exact<{
  field: ContactDetailField;
  value: Scalars['String']['input'];
}>;


export type ContactDetailQuery = { __typename?: 'Query', contactDetail: { __typename?: 'ContactDetailCheck', value?: string | null, errors: Array<{ __typename?: 'UserError', code: ErrorCode, message: string, field?: Array<string> | null }> } };

export type PostcodeQueryVariables = Exact<{
  postcode: Scalars['String']['input'];
}>;


export type PostcodeQuery = { __typename?: 'Query', postcode: { __typename?: 'PostcodeCheck', postcode: string, valid: boolean, errors: Array<{ __typename?: 'UserError', code: ErrorCode, message: string, field?: Array<string> | null }> } };

export type ClusterQueryVariables = Exact<{ [key: string]: never; }>;


export type ClusterQuery = { __typename?: 'Query', cluster: { __typename?: 'Cluster', epoch: number, writable: boolean, unwritableReason?: string | null, primary?: { __typename?: 'Replica', name: string } | null, replicas: Array<{ __typename?: 'Replica', name: string, role: ReplicaRole, appliedSeq: number }> } };

export type OperatorClusterQueryVariables = Exact<{ [key: string]: never; }>;


export type OperatorClusterQuery = { __typename?: 'Query', cluster: { __typename?: 'Cluster', epoch: number, writable: boolean, unwritableReason?: string | null, replicas: Array<{ __typename?: 'Replica', name: string, role: ReplicaRole, appliedSeq: number, url: string, lastHeartbeatAt?: string | null }>, primary?: { __typename?: 'Replica', name: string } | null } };

export type StaffViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type StaffViewerQuery = { __typename?: 'Query', staffViewer?: { __typename?: 'StaffMember', id: string, name: string, role: StaffRole } | null };

export type StaffOrdersQueryVariables = Exact<{
  statuses?: InputMaybe<Array<OrderStatus> | OrderStatus>;
  first?: InputMaybe<Scalars['Int']['input']>;
}>;


export type StaffOrdersQuery = { __typename?: 'Query', staffOrders: Array<{ __typename?: 'Order', id: string, status: OrderStatus, createdAt: string, timeline: Array<{ __typename?: 'TimelineEntry', status: OrderStatus, at: string, by: ActorRole }>, lines: Array<{ __typename?: 'OrderLine', productName: string, quantity: number, product: { __typename?: 'Product', id: string } }>, deliveryOption: { __typename?: 'DeliveryOption', id: string, name: string, fulfilment: Fulfilment }, deliverTo?: { __typename?: 'DeliveryContact', name: string, phone: string, address: string, postcode: string } | null }> };

export type SaveContactDetailsMutationVariables = Exact<{
  input: ContactDetailsInput;
}>;


export type SaveContactDetailsMutation = { __typename?: 'Mutation', saveContactDetails: { __typename?: 'SaveContactDetailsPayload', token?: string | null, customer?: { __typename?: 'Customer', id: string, firstName: string, lastName: string, phone: string, postcode: string, address: string } | null, errors: Array<{ __typename?: 'UserError', code: ErrorCode, message: string, field?: Array<string> | null }> } };

export type PlaceOrderMutationVariables = Exact<{
  input: PlaceOrderInput;
}>;


export type PlaceOrderMutation = { __typename?: 'Mutation', placeOrder: { __typename?: 'PlaceOrderPayload', order?: { __typename?: 'Order', id: string, status: OrderStatus, active: boolean, createdAt: string, rejectReason?: string | null, timeline: Array<{ __typename?: 'TimelineEntry', status: OrderStatus, at: string, by: ActorRole }>, lines: Array<{ __typename?: 'OrderLine', productName: string, quantity: number, product: { __typename?: 'Product', id: string }, unitPrice: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, lineTotal: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string } }>, deliveryOption: { __typename?: 'DeliveryOption', id: string, name: string, fulfilment: Fulfilment }, deliverTo?: { __typename?: 'DeliveryContact', address: string, postcode: string } | null, subtotal: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, deliveryCost: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, tip: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, total: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string } } | null, errors: Array<{ __typename?: 'UserError', code: ErrorCode, message: string, field?: Array<string> | null }> } };

export type CancelOrderMutationVariables = Exact<{
  input: CancelOrderInput;
}>;


export type CancelOrderMutation = { __typename?: 'Mutation', cancelOrder: { __typename?: 'CancelOrderPayload', order?: { __typename?: 'Order', id: string, status: OrderStatus, active: boolean, createdAt: string, rejectReason?: string | null, timeline: Array<{ __typename?: 'TimelineEntry', status: OrderStatus, at: string, by: ActorRole }>, lines: Array<{ __typename?: 'OrderLine', productName: string, quantity: number, product: { __typename?: 'Product', id: string }, unitPrice: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, lineTotal: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string } }>, deliveryOption: { __typename?: 'DeliveryOption', id: string, name: string, fulfilment: Fulfilment }, deliverTo?: { __typename?: 'DeliveryContact', address: string, postcode: string } | null, subtotal: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, deliveryCost: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, tip: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, total: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string } } | null, errors: Array<{ __typename?: 'UserError', code: ErrorCode, message: string, field?: Array<string> | null }> } };

export type MoveOrderMutationVariables = Exact<{
  input: MoveOrderInput;
}>;


export type MoveOrderMutation = { __typename?: 'Mutation', moveOrder: { __typename?: 'MoveOrderPayload', order?: { __typename?: 'Order', id: string, status: OrderStatus, createdAt: string, timeline: Array<{ __typename?: 'TimelineEntry', status: OrderStatus, at: string, by: ActorRole }>, lines: Array<{ __typename?: 'OrderLine', productName: string, quantity: number, product: { __typename?: 'Product', id: string } }>, deliveryOption: { __typename?: 'DeliveryOption', id: string, name: string, fulfilment: Fulfilment }, deliverTo?: { __typename?: 'DeliveryContact', name: string, phone: string, address: string, postcode: string } | null } | null, errors: Array<{ __typename?: 'UserError', code: ErrorCode, message: string, field?: Array<string> | null }> } };

export type OrderStatusChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type OrderStatusChangedSubscription = { __typename?: 'Subscription', orderStatusChanged: { __typename?: 'Order', id: string, status: OrderStatus, active: boolean, createdAt: string, rejectReason?: string | null, timeline: Array<{ __typename?: 'TimelineEntry', status: OrderStatus, at: string, by: ActorRole }>, lines: Array<{ __typename?: 'OrderLine', productName: string, quantity: number, product: { __typename?: 'Product', id: string }, unitPrice: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, lineTotal: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string } }>, deliveryOption: { __typename?: 'DeliveryOption', id: string, name: string, fulfilment: Fulfilment }, deliverTo?: { __typename?: 'DeliveryContact', address: string, postcode: string } | null, subtotal: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, deliveryCost: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, tip: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string }, total: { __typename?: 'Money', minorUnits: number, currency: string, formatted: string } } };

export type StockLevelsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type StockLevelsSubscription = { __typename?: 'Subscription', stockLevels: Array<{ __typename?: 'Product', id: string, stock: number }> };

export type ClusterChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type ClusterChangedSubscription = { __typename?: 'Subscription', clusterChanged: { __typename?: 'Cluster', epoch: number, writable: boolean, unwritableReason?: string | null, primary?: { __typename?: 'Replica', name: string } | null, replicas: Array<{ __typename?: 'Replica', name: string, role: ReplicaRole, appliedSeq: number }> } };

export type OperatorClusterChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type OperatorClusterChangedSubscription = { __typename?: 'Subscription', clusterChanged: { __typename?: 'Cluster', epoch: number, writable: boolean, unwritableReason?: string | null, replicas: Array<{ __typename?: 'Replica', name: string, role: ReplicaRole, appliedSeq: number, url: string, lastHeartbeatAt?: string | null }>, primary?: { __typename?: 'Replica', name: string } | null } };

export type StaffOrderChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type StaffOrderChangedSubscription = { __typename?: 'Subscription', staffOrderChanged: { __typename?: 'Order', id: string, status: OrderStatus, createdAt: string, timeline: Array<{ __typename?: 'TimelineEntry', status: OrderStatus, at: string, by: ActorRole }>, lines: Array<{ __typename?: 'OrderLine', productName: string, quantity: number, product: { __typename?: 'Product', id: string } }>, deliveryOption: { __typename?: 'DeliveryOption', id: string, name: string, fulfilment: Fulfilment }, deliverTo?: { __typename?: 'DeliveryContact', name: string, phone: string, address: string, postcode: string } | null } };

export type ReplicaStatusChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type ReplicaStatusChangedSubscription = { __typename?: 'Subscription', replicaStatusChanged: { __typename?: 'ReplicaStatusEvent', previousRole?: ReplicaRole | null, epoch: number, at: string, replica: { __typename?: 'Replica', name: string, role: ReplicaRole, appliedSeq: number } } };

export const MoneyFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MoneyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Money"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"minorUnits"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}}]} as unknown as DocumentNode<MoneyFieldsFragment, unknown>;
export const OrderLineFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderLineFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OrderLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"productName"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unitPrice"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lineTotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MoneyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Money"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"minorUnits"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}}]} as unknown as DocumentNode<OrderLineFieldsFragment, unknown>;
export const OrderFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"rejectReason"}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"by"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OrderLineFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryOption"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"fulfilment"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliverTo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"postcode"}}]}},{"kind":"Field","name":{"kind":"Name","value":"subtotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryCost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tip"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MoneyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Money"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"minorUnits"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderLineFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OrderLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"productName"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unitPrice"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lineTotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}}]}}]} as unknown as DocumentNode<OrderFieldsFragment, unknown>;
export const UserErrorFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]} as unknown as DocumentNode<UserErrorFieldsFragment, unknown>;
export const ReplicaFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReplicaFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Replica"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"appliedSeq"}}]}}]} as unknown as DocumentNode<ReplicaFieldsFragment, unknown>;
export const ClusterFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ClusterFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Cluster"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"epoch"}},{"kind":"Field","name":{"kind":"Name","value":"writable"}},{"kind":"Field","name":{"kind":"Name","value":"unwritableReason"}},{"kind":"Field","name":{"kind":"Name","value":"primary"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"replicas"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReplicaFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReplicaFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Replica"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"appliedSeq"}}]}}]} as unknown as DocumentNode<ClusterFieldsFragment, unknown>;
export const ReplicaInternalsFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReplicaInternalsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Replica"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"lastHeartbeatAt"}}]}}]} as unknown as DocumentNode<ReplicaInternalsFieldsFragment, unknown>;
export const OperatorClusterFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OperatorClusterFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Cluster"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ClusterFields"}},{"kind":"Field","name":{"kind":"Name","value":"replicas"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReplicaFields"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReplicaInternalsFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReplicaFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Replica"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"appliedSeq"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ClusterFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Cluster"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"epoch"}},{"kind":"Field","name":{"kind":"Name","value":"writable"}},{"kind":"Field","name":{"kind":"Name","value":"unwritableReason"}},{"kind":"Field","name":{"kind":"Name","value":"primary"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"replicas"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReplicaFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReplicaInternalsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Replica"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"lastHeartbeatAt"}}]}}]} as unknown as DocumentNode<OperatorClusterFieldsFragment, unknown>;
export const StaffOrderFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StaffOrderFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"by"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"productName"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryOption"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"fulfilment"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliverTo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"postcode"}}]}}]}}]} as unknown as DocumentNode<StaffOrderFieldsFragment, unknown>;
export const TimelineFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"TimelineFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"rejectReason"}},{"kind":"Field","name":{"kind":"Name","value":"deliveryOption"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"by"}}]}}]}}]} as unknown as DocumentNode<TimelineFieldsFragment, unknown>;
export const MenuDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Menu"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"products"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"price"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"stock"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryOptions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"fulfilment"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MoneyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Money"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"minorUnits"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}}]} as unknown as DocumentNode<MenuQuery, MenuQueryVariables>;
export const ViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"postcode"}},{"kind":"Field","name":{"kind":"Name","value":"address"}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;
export const OrdersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Orders"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"active"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"orders"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"active"},"value":{"kind":"Variable","name":{"kind":"Name","value":"active"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OrderFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MoneyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Money"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"minorUnits"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderLineFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OrderLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"productName"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unitPrice"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lineTotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"rejectReason"}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"by"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OrderLineFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryOption"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"fulfilment"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliverTo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"postcode"}}]}},{"kind":"Field","name":{"kind":"Name","value":"subtotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryCost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tip"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}}]}}]} as unknown as DocumentNode<OrdersQuery, OrdersQueryVariables>;
export const OrderQuoteDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OrderQuote"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"OrderQuoteInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderQuote"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"quote"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OrderLineFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"subtotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryCost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tip"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"errors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MoneyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Money"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"minorUnits"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderLineFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OrderLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"productName"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unitPrice"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lineTotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]} as unknown as DocumentNode<OrderQuoteQuery, OrderQuoteQueryVariables>;
export const WatchOrderDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"WatchOrder"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"order"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"TimelineFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"TimelineFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"rejectReason"}},{"kind":"Field","name":{"kind":"Name","value":"deliveryOption"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"by"}}]}}]}}]} as unknown as DocumentNode<WatchOrderQuery, WatchOrderQueryVariables>;
export const WatchOrdersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"WatchOrders"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderStatusChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"TimelineFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"TimelineFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"rejectReason"}},{"kind":"Field","name":{"kind":"Name","value":"deliveryOption"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"by"}}]}}]}}]} as unknown as DocumentNode<WatchOrdersSubscription, WatchOrdersSubscriptionVariables>;
export const OrderDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Order"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"order"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OrderFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MoneyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Money"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"minorUnits"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderLineFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OrderLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"productName"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unitPrice"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lineTotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"rejectReason"}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"by"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OrderLineFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryOption"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"fulfilment"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliverTo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"postcode"}}]}},{"kind":"Field","name":{"kind":"Name","value":"subtotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryCost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tip"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}}]}}]} as unknown as DocumentNode<OrderQuery, OrderQueryVariables>;
export const ContactDetailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ContactDetail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"field"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ContactDetailField"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"value"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"contactDetail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"field"},"value":{"kind":"Variable","name":{"kind":"Name","value":"field"}}},{"kind":"Argument","name":{"kind":"Name","value":"value"},"value":{"kind":"Variable","name":{"kind":"Name","value":"value"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"errors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]} as unknown as DocumentNode<ContactDetailQuery, ContactDetailQueryVariables>;
export const PostcodeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Postcode"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"postcode"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"postcode"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"postcode"},"value":{"kind":"Variable","name":{"kind":"Name","value":"postcode"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"postcode"}},{"kind":"Field","name":{"kind":"Name","value":"valid"}},{"kind":"Field","name":{"kind":"Name","value":"errors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]} as unknown as DocumentNode<PostcodeQuery, PostcodeQueryVariables>;
export const ClusterDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Cluster"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cluster"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ClusterFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReplicaFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Replica"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"appliedSeq"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ClusterFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Cluster"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"epoch"}},{"kind":"Field","name":{"kind":"Name","value":"writable"}},{"kind":"Field","name":{"kind":"Name","value":"unwritableReason"}},{"kind":"Field","name":{"kind":"Name","value":"primary"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"replicas"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReplicaFields"}}]}}]}}]} as unknown as DocumentNode<ClusterQuery, ClusterQueryVariables>;
export const OperatorClusterDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OperatorCluster"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cluster"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OperatorClusterFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReplicaFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Replica"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"appliedSeq"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ClusterFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Cluster"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"epoch"}},{"kind":"Field","name":{"kind":"Name","value":"writable"}},{"kind":"Field","name":{"kind":"Name","value":"unwritableReason"}},{"kind":"Field","name":{"kind":"Name","value":"primary"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"replicas"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReplicaFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReplicaInternalsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Replica"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"lastHeartbeatAt"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OperatorClusterFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Cluster"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ClusterFields"}},{"kind":"Field","name":{"kind":"Name","value":"replicas"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReplicaFields"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReplicaInternalsFields"}}]}}]}}]} as unknown as DocumentNode<OperatorClusterQuery, OperatorClusterQueryVariables>;
export const StaffViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StaffViewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"staffViewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}}]}}]}}]} as unknown as DocumentNode<StaffViewerQuery, StaffViewerQueryVariables>;
export const StaffOrdersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StaffOrders"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"statuses"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"OrderStatus"}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"staffOrders"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"statuses"},"value":{"kind":"Variable","name":{"kind":"Name","value":"statuses"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StaffOrderFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StaffOrderFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"by"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"productName"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryOption"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"fulfilment"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliverTo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"postcode"}}]}}]}}]} as unknown as DocumentNode<StaffOrdersQuery, StaffOrdersQueryVariables>;
export const SaveContactDetailsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SaveContactDetails"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ContactDetailsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"saveContactDetails"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"customer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"postcode"}},{"kind":"Field","name":{"kind":"Name","value":"address"}}]}},{"kind":"Field","name":{"kind":"Name","value":"errors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]} as unknown as DocumentNode<SaveContactDetailsMutation, SaveContactDetailsMutationVariables>;
export const PlaceOrderDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PlaceOrder"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"PlaceOrderInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"placeOrder"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OrderFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"errors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MoneyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Money"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"minorUnits"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderLineFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OrderLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"productName"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unitPrice"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lineTotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"rejectReason"}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"by"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OrderLineFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryOption"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"fulfilment"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliverTo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"postcode"}}]}},{"kind":"Field","name":{"kind":"Name","value":"subtotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryCost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tip"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]} as unknown as DocumentNode<PlaceOrderMutation, PlaceOrderMutationVariables>;
export const CancelOrderDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CancelOrder"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CancelOrderInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cancelOrder"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OrderFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"errors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MoneyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Money"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"minorUnits"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderLineFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OrderLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"productName"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unitPrice"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lineTotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"rejectReason"}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"by"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OrderLineFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryOption"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"fulfilment"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliverTo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"postcode"}}]}},{"kind":"Field","name":{"kind":"Name","value":"subtotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryCost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tip"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]} as unknown as DocumentNode<CancelOrderMutation, CancelOrderMutationVariables>;
export const MoveOrderDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"MoveOrder"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"MoveOrderInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"moveOrder"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StaffOrderFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"errors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StaffOrderFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"by"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"productName"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryOption"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"fulfilment"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliverTo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"postcode"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]} as unknown as DocumentNode<MoveOrderMutation, MoveOrderMutationVariables>;
export const OrderStatusChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"OrderStatusChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderStatusChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OrderFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MoneyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Money"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"minorUnits"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderLineFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OrderLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"productName"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unitPrice"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lineTotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"rejectReason"}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"by"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OrderLineFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryOption"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"fulfilment"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliverTo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"postcode"}}]}},{"kind":"Field","name":{"kind":"Name","value":"subtotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryCost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tip"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MoneyFields"}}]}}]}}]} as unknown as DocumentNode<OrderStatusChangedSubscription, OrderStatusChangedSubscriptionVariables>;
export const StockLevelsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"StockLevels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stockLevels"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"everyMs"},"value":{"kind":"IntValue","value":"1000"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"stock"}}]}}]}}]} as unknown as DocumentNode<StockLevelsSubscription, StockLevelsSubscriptionVariables>;
export const ClusterChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ClusterChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clusterChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ClusterFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReplicaFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Replica"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"appliedSeq"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ClusterFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Cluster"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"epoch"}},{"kind":"Field","name":{"kind":"Name","value":"writable"}},{"kind":"Field","name":{"kind":"Name","value":"unwritableReason"}},{"kind":"Field","name":{"kind":"Name","value":"primary"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"replicas"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReplicaFields"}}]}}]}}]} as unknown as DocumentNode<ClusterChangedSubscription, ClusterChangedSubscriptionVariables>;
export const OperatorClusterChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"OperatorClusterChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clusterChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OperatorClusterFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReplicaFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Replica"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"appliedSeq"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ClusterFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Cluster"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"epoch"}},{"kind":"Field","name":{"kind":"Name","value":"writable"}},{"kind":"Field","name":{"kind":"Name","value":"unwritableReason"}},{"kind":"Field","name":{"kind":"Name","value":"primary"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"replicas"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReplicaFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReplicaInternalsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Replica"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"lastHeartbeatAt"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OperatorClusterFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Cluster"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ClusterFields"}},{"kind":"Field","name":{"kind":"Name","value":"replicas"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReplicaFields"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReplicaInternalsFields"}}]}}]}}]} as unknown as DocumentNode<OperatorClusterChangedSubscription, OperatorClusterChangedSubscriptionVariables>;
export const StaffOrderChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"StaffOrderChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"staffOrderChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StaffOrderFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StaffOrderFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"by"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"productName"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryOption"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"fulfilment"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliverTo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"postcode"}}]}}]}}]} as unknown as DocumentNode<StaffOrderChangedSubscription, StaffOrderChangedSubscriptionVariables>;
export const ReplicaStatusChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ReplicaStatusChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replicaStatusChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replica"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReplicaFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"previousRole"}},{"kind":"Field","name":{"kind":"Name","value":"epoch"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReplicaFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Replica"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"appliedSeq"}}]}}]} as unknown as DocumentNode<ReplicaStatusChangedSubscription, ReplicaStatusChangedSubscriptionVariables>;