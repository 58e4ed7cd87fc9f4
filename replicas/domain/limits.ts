// Limits of the domain and of the requests that carry it, each named once:
// the wire schemas (protocol.ts), the gateway's checks at the GraphQL edge
// and the business rules all use these, so a request the gateway lets
// through is one the replicas' wire schema takes.

/** Ids of products, delivery options, customers and orders. */
export const ID_CHARS_MAX = 200;
export const IDEMPOTENCY_KEY_CHARS_MAX = 128;
export const ORDER_LINES_MAX = 50;
export const QUANTITY_MAX = 99;
export const TIP_MINOR_MAX = 100_00;
export const CONTACT_FIELD_CHARS_MAX = 200;
export const ORDERS_PAGE_MAX = 100;
export const ORDERS_PAGE_DEFAULT = 20;
