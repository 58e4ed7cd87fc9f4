/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment MoneyFields on Money {\n    minorUnits\n    currency\n    formatted\n  }\n": typeof types.MoneyFieldsFragmentDoc,
    "\n  fragment OrderLineFields on OrderLine {\n    product {\n      id\n    }\n    productName\n    quantity\n    unitPrice {\n      ...MoneyFields\n    }\n    lineTotal {\n      ...MoneyFields\n    }\n  }\n": typeof types.OrderLineFieldsFragmentDoc,
    "\n  fragment OrderFields on Order {\n    id\n    status\n    active\n    createdAt\n    rejectReason\n    timeline {\n      status\n      at\n      by\n    }\n    lines {\n      ...OrderLineFields\n    }\n    deliveryOption {\n      id\n      name\n      fulfilment\n    }\n    deliverTo {\n      address\n      postcode\n    }\n    subtotal {\n      ...MoneyFields\n    }\n    deliveryCost {\n      ...MoneyFields\n    }\n    tip {\n      ...MoneyFields\n    }\n    total {\n      ...MoneyFields\n    }\n  }\n": typeof types.OrderFieldsFragmentDoc,
    "\n  fragment UserErrorFields on UserError {\n    code\n    message\n    field\n  }\n": typeof types.UserErrorFieldsFragmentDoc,
    "\n  fragment ReplicaFields on Replica {\n    name\n    role\n    appliedSeq\n  }\n": typeof types.ReplicaFieldsFragmentDoc,
    "\n  fragment ReplicaInternalsFields on Replica {\n    url\n    lastHeartbeatAt\n  }\n": typeof types.ReplicaInternalsFieldsFragmentDoc,
    "\n  fragment ClusterFields on Cluster {\n    epoch\n    writable\n    unwritableReason\n    primary {\n      name\n    }\n    replicas {\n      ...ReplicaFields\n    }\n  }\n": typeof types.ClusterFieldsFragmentDoc,
    "\n  fragment OperatorClusterFields on Cluster {\n    ...ClusterFields\n    replicas {\n      ...ReplicaFields\n      ...ReplicaInternalsFields\n    }\n  }\n": typeof types.OperatorClusterFieldsFragmentDoc,
    "\n  fragment StaffOrderFields on Order {\n    id\n    status\n    createdAt\n    timeline {\n      status\n      at\n      by\n    }\n    lines {\n      product {\n        id\n      }\n      productName\n      quantity\n    }\n    deliveryOption {\n      id\n      name\n      fulfilment\n    }\n    deliverTo {\n      name\n      phone\n      address\n      postcode\n    }\n  }\n": typeof types.StaffOrderFieldsFragmentDoc,
    "\n  query Menu {\n    products {\n      id\n      name\n      description\n      price {\n        ...MoneyFields\n      }\n      stock\n    }\n    deliveryOptions {\n      id\n      name\n      description\n      fulfilment\n      cost {\n        ...MoneyFields\n      }\n    }\n  }\n": typeof types.MenuDocument,
    "\n  query Viewer {\n    viewer {\n      id\n      firstName\n      lastName\n      phone\n      postcode\n      address\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  query Orders($active: Boolean, $first: Int, $after: String) {\n    viewer {\n      id\n      orders(active: $active, first: $first, after: $after) {\n        totalCount\n        edges {\n          cursor\n          node {\n            ...OrderFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.OrdersDocument,
    "\n  query OrderQuote($input: OrderQuoteInput!) {\n    orderQuote(input: $input) {\n      quote {\n        lines {\n          ...OrderLineFields\n        }\n        subtotal {\n          ...MoneyFields\n        }\n        deliveryCost {\n          ...MoneyFields\n        }\n        tip {\n          ...MoneyFields\n        }\n        total {\n          ...MoneyFields\n        }\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.OrderQuoteDocument,
    "\n  query WatchOrder($id: ID!) {\n    order(id: $id) {\n      ...TimelineFields\n    }\n  }\n": typeof types.WatchOrderDocument,
    "\n  subscription WatchOrders {\n    orderStatusChanged {\n      ...TimelineFields\n    }\n  }\n": typeof types.WatchOrdersDocument,
    "\n  fragment TimelineFields on Order {\n    id\n    status\n    rejectReason\n    deliveryOption {\n      name\n    }\n    timeline {\n      status\n      at\n      by\n    }\n  }\n": typeof types.TimelineFieldsFragmentDoc,
    "\n  query Order($id: ID!) {\n    order(id: $id) {\n      ...OrderFields\n    }\n  }\n": typeof types.OrderDocument,
    "\n  query ContactDetail($field: ContactDetailField!, $value: String!) {\n    contactDetail(field: $field, value: $value) {\n      value\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.ContactDetailDocument,
    "\n  query Postcode($postcode: String!) {\n    postcode(postcode: $postcode) {\n      postcode\n      valid\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.PostcodeDocument,
    "\n  query Cluster {\n    cluster {\n      ...ClusterFields\n    }\n  }\n": typeof types.ClusterDocument,
    "\n  query OperatorCluster {\n    cluster {\n      ...OperatorClusterFields\n    }\n  }\n": typeof types.OperatorClusterDocument,
    "\n  query StaffViewer {\n    staffViewer {\n      id\n      name\n      role\n    }\n  }\n": typeof types.StaffViewerDocument,
    "\n  query StaffOrders($statuses: [OrderStatus!], $first: Int) {\n    staffOrders(statuses: $statuses, first: $first) {\n      ...StaffOrderFields\n    }\n  }\n": typeof types.StaffOrdersDocument,
    "\n  mutation SaveContactDetails($input: ContactDetailsInput!) {\n    saveContactDetails(input: $input) {\n      token\n      customer {\n        id\n        firstName\n        lastName\n        phone\n        postcode\n        address\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.SaveContactDetailsDocument,
    "\n  mutation PlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      order {\n        ...OrderFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.PlaceOrderDocument,
    "\n  mutation CancelOrder($input: CancelOrderInput!) {\n    cancelOrder(input: $input) {\n      order {\n        ...OrderFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.CancelOrderDocument,
    "\n  mutation MoveOrder($input: MoveOrderInput!) {\n    moveOrder(input: $input) {\n      order {\n        ...StaffOrderFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.MoveOrderDocument,
    "\n  subscription OrderStatusChanged {\n    orderStatusChanged {\n      ...OrderFields\n    }\n  }\n": typeof types.OrderStatusChangedDocument,
    "\n  subscription StockLevels {\n    # The menu needs each dish's level now, not every step: the dishes that changed, in one event at most every second.\n    stockLevels(everyMs: 1000) {\n      id\n      stock\n    }\n  }\n": typeof types.StockLevelsDocument,
    "\n  subscription ClusterChanged {\n    clusterChanged {\n      ...ClusterFields\n    }\n  }\n": typeof types.ClusterChangedDocument,
    "\n  subscription OperatorClusterChanged {\n    clusterChanged {\n      ...OperatorClusterFields\n    }\n  }\n": typeof types.OperatorClusterChangedDocument,
    "\n  subscription StaffOrderChanged {\n    staffOrderChanged {\n      ...StaffOrderFields\n    }\n  }\n": typeof types.StaffOrderChangedDocument,
    "\n  subscription ReplicaStatusChanged {\n    replicaStatusChanged {\n      replica {\n        ...ReplicaFields\n      }\n      previousRole\n      epoch\n      at\n    }\n  }\n": typeof types.ReplicaStatusChangedDocument,
};
const documents: Documents = {
    "\n  fragment MoneyFields on Money {\n    minorUnits\n    currency\n    formatted\n  }\n": types.MoneyFieldsFragmentDoc,
    "\n  fragment OrderLineFields on OrderLine {\n    product {\n      id\n    }\n    productName\n    quantity\n    unitPrice {\n      ...MoneyFields\n    }\n    lineTotal {\n      ...MoneyFields\n    }\n  }\n": types.OrderLineFieldsFragmentDoc,
    "\n  fragment OrderFields on Order {\n    id\n    status\n    active\n    createdAt\n    rejectReason\n    timeline {\n      status\n      at\n      by\n    }\n    lines {\n      ...OrderLineFields\n    }\n    deliveryOption {\n      id\n      name\n      fulfilment\n    }\n    deliverTo {\n      address\n      postcode\n    }\n    subtotal {\n      ...MoneyFields\n    }\n    deliveryCost {\n      ...MoneyFields\n    }\n    tip {\n      ...MoneyFields\n    }\n    total {\n      ...MoneyFields\n    }\n  }\n": types.OrderFieldsFragmentDoc,
    "\n  fragment UserErrorFields on UserError {\n    code\n    message\n    field\n  }\n": types.UserErrorFieldsFragmentDoc,
    "\n  fragment ReplicaFields on Replica {\n    name\n    role\n    appliedSeq\n  }\n": types.ReplicaFieldsFragmentDoc,
    "\n  fragment ReplicaInternalsFields on Replica {\n    url\n    lastHeartbeatAt\n  }\n": types.ReplicaInternalsFieldsFragmentDoc,
    "\n  fragment ClusterFields on Cluster {\n    epoch\n    writable\n    unwritableReason\n    primary {\n      name\n    }\n    replicas {\n      ...ReplicaFields\n    }\n  }\n": types.ClusterFieldsFragmentDoc,
    "\n  fragment OperatorClusterFields on Cluster {\n    ...ClusterFields\n    replicas {\n      ...ReplicaFields\n      ...ReplicaInternalsFields\n    }\n  }\n": types.OperatorClusterFieldsFragmentDoc,
    "\n  fragment StaffOrderFields on Order {\n    id\n    status\n    createdAt\n    timeline {\n      status\n      at\n      by\n    }\n    lines {\n      product {\n        id\n      }\n      productName\n      quantity\n    }\n    deliveryOption {\n      id\n      name\n      fulfilment\n    }\n    deliverTo {\n      name\n      phone\n      address\n      postcode\n    }\n  }\n": types.StaffOrderFieldsFragmentDoc,
    "\n  query Menu {\n    products {\n      id\n      name\n      description\n      price {\n        ...MoneyFields\n      }\n      stock\n    }\n    deliveryOptions {\n      id\n      name\n      description\n      fulfilment\n      cost {\n        ...MoneyFields\n      }\n    }\n  }\n": types.MenuDocument,
    "\n  query Viewer {\n    viewer {\n      id\n      firstName\n      lastName\n      phone\n      postcode\n      address\n    }\n  }\n": types.ViewerDocument,
    "\n  query Orders($active: Boolean, $first: Int, $after: String) {\n    viewer {\n      id\n      orders(active: $active, first: $first, after: $after) {\n        totalCount\n        edges {\n          cursor\n          node {\n            ...OrderFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.OrdersDocument,
    "\n  query OrderQuote($input: OrderQuoteInput!) {\n    orderQuote(input: $input) {\n      quote {\n        lines {\n          ...OrderLineFields\n        }\n        subtotal {\n          ...MoneyFields\n        }\n        deliveryCost {\n          ...MoneyFields\n        }\n        tip {\n          ...MoneyFields\n        }\n        total {\n          ...MoneyFields\n        }\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.OrderQuoteDocument,
    "\n  query WatchOrder($id: ID!) {\n    order(id: $id) {\n      ...TimelineFields\n    }\n  }\n": types.WatchOrderDocument,
    "\n  subscription WatchOrders {\n    orderStatusChanged {\n      ...TimelineFields\n    }\n  }\n": types.WatchOrdersDocument,
    "\n  fragment TimelineFields on Order {\n    id\n    status\n    rejectReason\n    deliveryOption {\n      name\n    }\n    timeline {\n      status\n      at\n      by\n    }\n  }\n": types.TimelineFieldsFragmentDoc,
    "\n  query Order($id: ID!) {\n    order(id: $id) {\n      ...OrderFields\n    }\n  }\n": types.OrderDocument,
    "\n  query ContactDetail($field: ContactDetailField!, $value: String!) {\n    contactDetail(field: $field, value: $value) {\n      value\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.ContactDetailDocument,
    "\n  query Postcode($postcode: String!) {\n    postcode(postcode: $postcode) {\n      postcode\n      valid\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.PostcodeDocument,
    "\n  query Cluster {\n    cluster {\n      ...ClusterFields\n    }\n  }\n": types.ClusterDocument,
    "\n  query OperatorCluster {\n    cluster {\n      ...OperatorClusterFields\n    }\n  }\n": types.OperatorClusterDocument,
    "\n  query StaffViewer {\n    staffViewer {\n      id\n      name\n      role\n    }\n  }\n": types.StaffViewerDocument,
    "\n  query StaffOrders($statuses: [OrderStatus!], $first: Int) {\n    staffOrders(statuses: $statuses, first: $first) {\n      ...StaffOrderFields\n    }\n  }\n": types.StaffOrdersDocument,
    "\n  mutation SaveContactDetails($input: ContactDetailsInput!) {\n    saveContactDetails(input: $input) {\n      token\n      customer {\n        id\n        firstName\n        lastName\n        phone\n        postcode\n        address\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.SaveContactDetailsDocument,
    "\n  mutation PlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      order {\n        ...OrderFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.PlaceOrderDocument,
    "\n  mutation CancelOrder($input: CancelOrderInput!) {\n    cancelOrder(input: $input) {\n      order {\n        ...OrderFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.CancelOrderDocument,
    "\n  mutation MoveOrder($input: MoveOrderInput!) {\n    moveOrder(input: $input) {\n      order {\n        ...StaffOrderFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.MoveOrderDocument,
    "\n  subscription OrderStatusChanged {\n    orderStatusChanged {\n      ...OrderFields\n    }\n  }\n": types.OrderStatusChangedDocument,
    "\n  subscription StockLevels {\n    # The menu needs each dish's level now, not every step: the dishes that changed, in one event at most every second.\n    stockLevels(everyMs: 1000) {\n      id\n      stock\n    }\n  }\n": types.StockLevelsDocument,
    "\n  subscription ClusterChanged {\n    clusterChanged {\n      ...ClusterFields\n    }\n  }\n": types.ClusterChangedDocument,
    "\n  subscription OperatorClusterChanged {\n    clusterChanged {\n      ...OperatorClusterFields\n    }\n  }\n": types.OperatorClusterChangedDocument,
    "\n  subscription StaffOrderChanged {\n    staffOrderChanged {\n      ...StaffOrderFields\n    }\n  }\n": types.StaffOrderChangedDocument,
    "\n  subscription ReplicaStatusChanged {\n    replicaStatusChanged {\n      replica {\n        ...ReplicaFields\n      }\n      previousRole\n      epoch\n      at\n    }\n  }\n": types.ReplicaStatusChangedDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MoneyFields on Money {\n    minorUnits\n    currency\n    formatted\n  }\n"): (typeof documents)["\n  fragment MoneyFields on Money {\n    minorUnits\n    currency\n    formatted\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OrderLineFields on OrderLine {\n    product {\n      id\n    }\n    productName\n    quantity\n    unitPrice {\n      ...MoneyFields\n    }\n    lineTotal {\n      ...MoneyFields\n    }\n  }\n"): (typeof documents)["\n  fragment OrderLineFields on OrderLine {\n    product {\n      id\n    }\n    productName\n    quantity\n    unitPrice {\n      ...MoneyFields\n    }\n    lineTotal {\n      ...MoneyFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OrderFields on Order {\n    id\n    status\n    active\n    createdAt\n    rejectReason\n    timeline {\n      status\n      at\n      by\n    }\n    lines {\n      ...OrderLineFields\n    }\n    deliveryOption {\n      id\n      name\n      fulfilment\n    }\n    deliverTo {\n      address\n      postcode\n    }\n    subtotal {\n      ...MoneyFields\n    }\n    deliveryCost {\n      ...MoneyFields\n    }\n    tip {\n      ...MoneyFields\n    }\n    total {\n      ...MoneyFields\n    }\n  }\n"): (typeof documents)["\n  fragment OrderFields on Order {\n    id\n    status\n    active\n    createdAt\n    rejectReason\n    timeline {\n      status\n      at\n      by\n    }\n    lines {\n      ...OrderLineFields\n    }\n    deliveryOption {\n      id\n      name\n      fulfilment\n    }\n    deliverTo {\n      address\n      postcode\n    }\n    subtotal {\n      ...MoneyFields\n    }\n    deliveryCost {\n      ...MoneyFields\n    }\n    tip {\n      ...MoneyFields\n    }\n    total {\n      ...MoneyFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserErrorFields on UserError {\n    code\n    message\n    field\n  }\n"): (typeof documents)["\n  fragment UserErrorFields on UserError {\n    code\n    message\n    field\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ReplicaFields on Replica {\n    name\n    role\n    appliedSeq\n  }\n"): (typeof documents)["\n  fragment ReplicaFields on Replica {\n    name\n    role\n    appliedSeq\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ReplicaInternalsFields on Replica {\n    url\n    lastHeartbeatAt\n  }\n"): (typeof documents)["\n  fragment ReplicaInternalsFields on Replica {\n    url\n    lastHeartbeatAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ClusterFields on Cluster {\n    epoch\n    writable\n    unwritableReason\n    primary {\n      name\n    }\n    replicas {\n      ...ReplicaFields\n    }\n  }\n"): (typeof documents)["\n  fragment ClusterFields on Cluster {\n    epoch\n    writable\n    unwritableReason\n    primary {\n      name\n    }\n    replicas {\n      ...ReplicaFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OperatorClusterFields on Cluster {\n    ...ClusterFields\n    replicas {\n      ...ReplicaFields\n      ...ReplicaInternalsFields\n    }\n  }\n"): (typeof documents)["\n  fragment OperatorClusterFields on Cluster {\n    ...ClusterFields\n    replicas {\n      ...ReplicaFields\n      ...ReplicaInternalsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StaffOrderFields on Order {\n    id\n    status\n    createdAt\n    timeline {\n      status\n      at\n      by\n    }\n    lines {\n      product {\n        id\n      }\n      productName\n      quantity\n    }\n    deliveryOption {\n      id\n      name\n      fulfilment\n    }\n    deliverTo {\n      name\n      phone\n      address\n      postcode\n    }\n  }\n"): (typeof documents)["\n  fragment StaffOrderFields on Order {\n    id\n    status\n    createdAt\n    timeline {\n      status\n      at\n      by\n    }\n    lines {\n      product {\n        id\n      }\n      productName\n      quantity\n    }\n    deliveryOption {\n      id\n      name\n      fulfilment\n    }\n    deliverTo {\n      name\n      phone\n      address\n      postcode\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Menu {\n    products {\n      id\n      name\n      description\n      price {\n        ...MoneyFields\n      }\n      stock\n    }\n    deliveryOptions {\n      id\n      name\n      description\n      fulfilment\n      cost {\n        ...MoneyFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Menu {\n    products {\n      id\n      name\n      description\n      price {\n        ...MoneyFields\n      }\n      stock\n    }\n    deliveryOptions {\n      id\n      name\n      description\n      fulfilment\n      cost {\n        ...MoneyFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      id\n      firstName\n      lastName\n      phone\n      postcode\n      address\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      id\n      firstName\n      lastName\n      phone\n      postcode\n      address\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Orders($active: Boolean, $first: Int, $after: String) {\n    viewer {\n      id\n      orders(active: $active, first: $first, after: $after) {\n        totalCount\n        edges {\n          cursor\n          node {\n            ...OrderFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Orders($active: Boolean, $first: Int, $after: String) {\n    viewer {\n      id\n      orders(active: $active, first: $first, after: $after) {\n        totalCount\n        edges {\n          cursor\n          node {\n            ...OrderFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrderQuote($input: OrderQuoteInput!) {\n    orderQuote(input: $input) {\n      quote {\n        lines {\n          ...OrderLineFields\n        }\n        subtotal {\n          ...MoneyFields\n        }\n        deliveryCost {\n          ...MoneyFields\n        }\n        tip {\n          ...MoneyFields\n        }\n        total {\n          ...MoneyFields\n        }\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query OrderQuote($input: OrderQuoteInput!) {\n    orderQuote(input: $input) {\n      quote {\n        lines {\n          ...OrderLineFields\n        }\n        subtotal {\n          ...MoneyFields\n        }\n        deliveryCost {\n          ...MoneyFields\n        }\n        tip {\n          ...MoneyFields\n        }\n        total {\n          ...MoneyFields\n        }\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WatchOrder($id: ID!) {\n    order(id: $id) {\n      ...TimelineFields\n    }\n  }\n"): (typeof documents)["\n  query WatchOrder($id: ID!) {\n    order(id: $id) {\n      ...TimelineFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WatchOrders {\n    orderStatusChanged {\n      ...TimelineFields\n    }\n  }\n"): (typeof documents)["\n  subscription WatchOrders {\n    orderStatusChanged {\n      ...TimelineFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TimelineFields on Order {\n    id\n    status\n    rejectReason\n    deliveryOption {\n      name\n    }\n    timeline {\n      status\n      at\n      by\n    }\n  }\n"): (typeof documents)["\n  fragment TimelineFields on Order {\n    id\n    status\n    rejectReason\n    deliveryOption {\n      name\n    }\n    timeline {\n      status\n      at\n      by\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Order($id: ID!) {\n    order(id: $id) {\n      ...OrderFields\n    }\n  }\n"): (typeof documents)["\n  query Order($id: ID!) {\n    order(id: $id) {\n      ...OrderFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ContactDetail($field: ContactDetailField!, $value: String!) {\n    contactDetail(field: $field, value: $value) {\n      value\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query ContactDetail($field: ContactDetailField!, $value: String!) {\n    contactDetail(field: $field, value: $value) {\n      value\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Postcode($postcode: String!) {\n    postcode(postcode: $postcode) {\n      postcode\n      valid\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Postcode($postcode: String!) {\n    postcode(postcode: $postcode) {\n      postcode\n      valid\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Cluster {\n    cluster {\n      ...ClusterFields\n    }\n  }\n"): (typeof documents)["\n  query Cluster {\n    cluster {\n      ...ClusterFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperatorCluster {\n    cluster {\n      ...OperatorClusterFields\n    }\n  }\n"): (typeof documents)["\n  query OperatorCluster {\n    cluster {\n      ...OperatorClusterFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StaffViewer {\n    staffViewer {\n      id\n      name\n      role\n    }\n  }\n"): (typeof documents)["\n  query StaffViewer {\n    staffViewer {\n      id\n      name\n      role\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StaffOrders($statuses: [OrderStatus!], $first: Int) {\n    staffOrders(statuses: $statuses, first: $first) {\n      ...StaffOrderFields\n    }\n  }\n"): (typeof documents)["\n  query StaffOrders($statuses: [OrderStatus!], $first: Int) {\n    staffOrders(statuses: $statuses, first: $first) {\n      ...StaffOrderFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SaveContactDetails($input: ContactDetailsInput!) {\n    saveContactDetails(input: $input) {\n      token\n      customer {\n        id\n        firstName\n        lastName\n        phone\n        postcode\n        address\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SaveContactDetails($input: ContactDetailsInput!) {\n    saveContactDetails(input: $input) {\n      token\n      customer {\n        id\n        firstName\n        lastName\n        phone\n        postcode\n        address\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      order {\n        ...OrderFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation PlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      order {\n        ...OrderFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelOrder($input: CancelOrderInput!) {\n    cancelOrder(input: $input) {\n      order {\n        ...OrderFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CancelOrder($input: CancelOrderInput!) {\n    cancelOrder(input: $input) {\n      order {\n        ...OrderFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MoveOrder($input: MoveOrderInput!) {\n    moveOrder(input: $input) {\n      order {\n        ...StaffOrderFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation MoveOrder($input: MoveOrderInput!) {\n    moveOrder(input: $input) {\n      order {\n        ...StaffOrderFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OrderStatusChanged {\n    orderStatusChanged {\n      ...OrderFields\n    }\n  }\n"): (typeof documents)["\n  subscription OrderStatusChanged {\n    orderStatusChanged {\n      ...OrderFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription StockLevels {\n    # The menu needs each dish's level now, not every step: the dishes that changed, in one event at most every second.\n    stockLevels(everyMs: 1000) {\n      id\n      stock\n    }\n  }\n"): (typeof documents)["\n  subscription StockLevels {\n    # The menu needs each dish's level now, not every step: the dishes that changed, in one event at most every second.\n    stockLevels(everyMs: 1000) {\n      id\n      stock\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ClusterChanged {\n    clusterChanged {\n      ...ClusterFields\n    }\n  }\n"): (typeof documents)["\n  subscription ClusterChanged {\n    clusterChanged {\n      ...ClusterFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OperatorClusterChanged {\n    clusterChanged {\n      ...OperatorClusterFields\n    }\n  }\n"): (typeof documents)["\n  subscription OperatorClusterChanged {\n    clusterChanged {\n      ...OperatorClusterFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription StaffOrderChanged {\n    staffOrderChanged {\n      ...StaffOrderFields\n    }\n  }\n"): (typeof documents)["\n  subscription StaffOrderChanged {\n    staffOrderChanged {\n      ...StaffOrderFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ReplicaStatusChanged {\n    replicaStatusChanged {\n      replica {\n        ...ReplicaFields\n      }\n      previousRole\n      epoch\n      at\n    }\n  }\n"): (typeof documents)["\n  subscription ReplicaStatusChanged {\n    replicaStatusChanged {\n      replica {\n        ...ReplicaFields\n      }\n      previousRole\n      epoch\n      at\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;