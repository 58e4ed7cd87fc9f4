// Every GraphQL operation the clients send, in one place, so the web app and
// the terminal client share them. `npm run codegen` turns them into typed
// documents under client/gql/ (committed, checked in `npm test`).
import { graphql } from './gql/index.js';

export const MoneyFields = graphql(`
  fragment MoneyFields on Money {
    minorUnits
    currency
    formatted
  }
`);

/** One line of an order or a quote, as both are shown. */
export const OrderLineFields = graphql(`
  fragment OrderLineFields on OrderLine {
    product {
      id
    }
    productName
    quantity
    unitPrice {
      ...MoneyFields
    }
    lineTotal {
      ...MoneyFields
    }
  }
`);

export const OrderFields = graphql(`
  fragment OrderFields on Order {
    id
    status
    active
    createdAt
    rejectReason
    timeline {
      status
      at
      by
    }
    lines {
      ...OrderLineFields
    }
    deliveryOption {
      id
      name
      fulfilment
    }
    deliverTo {
      address
      postcode
    }
    subtotal {
      ...MoneyFields
    }
    deliveryCost {
      ...MoneyFields
    }
    tip {
      ...MoneyFields
    }
    total {
      ...MoneyFields
    }
  }
`);

export const UserErrorFields = graphql(`
  fragment UserErrorFields on UserError {
    code
    message
    field
  }
`);

/** What anyone may know of a replica: its name, role and how far it has applied the log. */
export const ReplicaFields = graphql(`
  fragment ReplicaFields on Replica {
    name
    role
    appliedSeq
  }
`);

/** A replica's internals, for operators only (FORBIDDEN with any other token, and then the whole query fails). */
export const ReplicaInternalsFields = graphql(`
  fragment ReplicaInternalsFields on Replica {
    url
    lastHeartbeatAt
  }
`);

/** The cluster as anyone may see it: whether orders are taken and why not, and the replicas' names and roles. */
export const ClusterFields = graphql(`
  fragment ClusterFields on Cluster {
    epoch
    writable
    unwritableReason
    primary {
      name
    }
    replicas {
      ...ReplicaFields
    }
  }
`);

/** The cluster with every replica's internals: only for a client that sends an operator's token. */
export const OperatorClusterFields = graphql(`
  fragment OperatorClusterFields on Cluster {
    ...ClusterFields
    replicas {
      ...ReplicaFields
      ...ReplicaInternalsFields
    }
  }
`);

/** An order as staff work on it: what to cook, how it leaves, for whom and where, and its moves so far. */
export const StaffOrderFields = graphql(`
  fragment StaffOrderFields on Order {
    id
    status
    createdAt
    timeline {
      status
      at
      by
    }
    lines {
      product {
        id
      }
      productName
      quantity
    }
    deliveryOption {
      id
      name
      fulfilment
    }
    deliverTo {
      name
      phone
      address
      postcode
    }
  }
`);

export const MenuQuery = graphql(`
  query Menu {
    products {
      id
      name
      description
      price {
        ...MoneyFields
      }
      stock
    }
    deliveryOptions {
      id
      name
      description
      fulfilment
      cost {
        ...MoneyFields
      }
    }
  }
`);

export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      id
      firstName
      lastName
      phone
      postcode
      address
    }
  }
`);

export const OrdersQuery = graphql(`
  query Orders($active: Boolean, $first: Int, $after: String) {
    viewer {
      id
      orders(active: $active, first: $first, after: $after) {
        totalCount
        edges {
          cursor
          node {
            ...OrderFields
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const OrderQuoteQuery = graphql(`
  query OrderQuote($input: OrderQuoteInput!) {
    orderQuote(input: $input) {
      quote {
        lines {
          ...OrderLineFields
        }
        subtotal {
          ...MoneyFields
        }
        deliveryCost {
          ...MoneyFields
        }
        tip {
          ...MoneyFields
        }
        total {
          ...MoneyFields
        }
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

/** One order's life so far, for following it (terminal: order --watch ID). */
export const WatchOrderQuery = graphql(`
  query WatchOrder($id: ID!) {
    order(id: $id) {
      ...TimelineFields
    }
  }
`);

export const WatchOrdersSubscription = graphql(`
  subscription WatchOrders {
    orderStatusChanged {
      ...TimelineFields
    }
  }
`);

export const TimelineFields = graphql(`
  fragment TimelineFields on Order {
    id
    status
    rejectReason
    deliveryOption {
      name
    }
    timeline {
      status
      at
      by
    }
  }
`);

/** One of the viewer's orders, for its own page (web: /orders/ID). */
export const OrderQuery = graphql(`
  query Order($id: ID!) {
    order(id: $id) {
      ...OrderFields
    }
  }
`);

export const ContactDetailQuery = graphql(`
  query ContactDetail($field: ContactDetailField!, $value: String!) {
    contactDetail(field: $field, value: $value) {
      value
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const PostcodeQuery = graphql(`
  query Postcode($postcode: String!) {
    postcode(postcode: $postcode) {
      postcode
      valid
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const ClusterQuery = graphql(`
  query Cluster {
    cluster {
      ...ClusterFields
    }
  }
`);

/** The cluster page's full view (staff client with an operator's token). */
export const OperatorClusterQuery = graphql(`
  query OperatorCluster {
    cluster {
      ...OperatorClusterFields
    }
  }
`);

/** Whom a staff token belongs to (null for any token that is not a working staff token). */
export const StaffViewerQuery = graphql(`
  query StaffViewer {
    staffViewer {
      id
      name
      role
    }
  }
`);

/** The orders staff work through, oldest first (staff only). */
export const StaffOrdersQuery = graphql(`
  query StaffOrders($statuses: [OrderStatus!], $first: Int) {
    staffOrders(statuses: $statuses, first: $first) {
      ...StaffOrderFields
    }
  }
`);

export const SaveContactDetailsMutation = graphql(`
  mutation SaveContactDetails($input: ContactDetailsInput!) {
    saveContactDetails(input: $input) {
      token
      customer {
        id
        firstName
        lastName
        phone
        postcode
        address
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const PlaceOrderMutation = graphql(`
  mutation PlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      order {
        ...OrderFields
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const CancelOrderMutation = graphql(`
  mutation CancelOrder($input: CancelOrderInput!) {
    cancelOrder(input: $input) {
      order {
        ...OrderFields
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const MoveOrderMutation = graphql(`
  mutation MoveOrder($input: MoveOrderInput!) {
    moveOrder(input: $input) {
      order {
        ...StaffOrderFields
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const OrderStatusChangedSubscription = graphql(`
  subscription OrderStatusChanged {
    orderStatusChanged {
      ...OrderFields
    }
  }
`);

export const StockLevelsSubscription = graphql(`
  subscription StockLevels {
    # The menu needs each dish's level now, not every step: the dishes that changed, in one event at most every second.
    stockLevels(everyMs: 1000) {
      id
      stock
    }
  }
`);

export const ClusterChangedSubscription = graphql(`
  subscription ClusterChanged {
    clusterChanged {
      ...ClusterFields
    }
  }
`);

/** The cluster page's full view, live (operators only). */
export const OperatorClusterChangedSubscription = graphql(`
  subscription OperatorClusterChanged {
    clusterChanged {
      ...OperatorClusterFields
    }
  }
`);

/** Every order as placed and at each move (staff only): the kitchen board and the courier view, live. */
export const StaffOrderChangedSubscription = graphql(`
  subscription StaffOrderChanged {
    staffOrderChanged {
      ...StaffOrderFields
    }
  }
`);

/** Each change of a replica's role (operators only). */
export const ReplicaStatusChangedSubscription = graphql(`
  subscription ReplicaStatusChanged {
    replicaStatusChanged {
      replica {
        ...ReplicaFields
      }
      previousRole
      epoch
      at
    }
  }
`);
