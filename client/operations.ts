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
    timeline {
      status
      at
    }
    lines {
      ...OrderLineFields
    }
    deliveryOption {
      id
      name
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

export const ReplicaFields = graphql(`
  fragment ReplicaFields on Replica {
    name
    url
    role
    appliedSeq
    lastHeartbeatAt
  }
`);

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

export const TimelineFieldsFragment = graphql(`
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
