import { builder } from './builder.ts';
import { ClusterRef } from './types/cluster.ts';
import { CustomerRef } from './types/customer.ts';
import { UserErrorRef, refuseArgument } from './types/errors.ts';
import { OrderQuoteInputRef } from './types/inputs.ts';
import { OrderQuoteRef, OrderRef } from './types/order.ts';
import { ContactDetailCheckRef, ContactDetailFieldRef } from './types/contact-detail.ts';
import { PostcodeCheckRef } from './types/postcode.ts';
import { DeliveryOptionRef, ProductRef } from './types/product.ts';
import type { Outcome, Quote } from '../replicas/domain/types.ts';
import { invalidId } from '../replicas/domain/order-input.ts';
import { checkContactDetail } from '../replicas/domain/contact.ts';
import { ID_CHARS_MAX } from '../replicas/domain/limits.ts';

const OrderQuotePayloadRef = builder.objectRef<Outcome<Quote>>('OrderQuotePayload').implement({
  fields: (t) => ({
    quote: t.field({ type: OrderQuoteRef, nullable: true, resolve: (o) => (o.ok ? o.value : null) }),
    errors: t.field({ type: [UserErrorRef], resolve: (o) => (o.ok ? [] : o.errors) }),
  }),
});

builder.queryFields((t) => ({
  products: t.field({ type: [ProductRef], description: 'The menu, with live stock.', resolve: (_root, _args, { services }) => services.products() }),
  deliveryOptions: t.field({ type: [DeliveryOptionRef], resolve: (_root, _args, { services }) => services.deliveryOptions() }),
  orderQuote: t.field({
    type: OrderQuotePayloadRef,
    description: 'What a cart would cost, without placing it.',
    args: { input: t.arg({ type: OrderQuoteInputRef, required: true }) },
    resolve: (_root, { input }, { services }) => services.quote(input),
  }),
  viewer: t.field({
    type: CustomerRef,
    nullable: true,
    description: 'The customer behind the bearer token; null without a valid one.',
    resolve: (_root, _args, { viewer }) => viewer(),
  }),
  order: t.field({
    type: OrderRef,
    nullable: true,
    description:
      "One of the viewer's own orders; null if the viewer has no order with this id. " +
      `An id no order can have (empty, or over ${ID_CHARS_MAX} characters) is refused at once, before any lookup, ` +
      'with a GraphQL error whose `extensions` are `{ code: "INVALID_INPUT", field: ["id"] }`.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, { services, viewer }) => {
      refuseArgument(invalidId(String(id), 'An order id', ['id']));
      const customer = await viewer();
      return customer ? services.order(customer.id, String(id)) : null;
    },
  }),
  cluster: t.field({ type: ClusterRef, resolve: (_root, _args, { services }) => services.cluster() }),
  contactDetail: t.field({
    type: ContactDetailCheckRef,
    description:
      'Checks one contact detail as saveContactDetails would (a form checks each field as it is typed), without saving anything. ' +
      "A postcode's format is checked here; whether it exists, by the postcode query.",
    args: { field: t.arg({ type: ContactDetailFieldRef, required: true }), value: t.arg.string({ required: true }) },
    resolve: (_root, { field, value }) => checkContactDetail(field, value),
  }),
  postcode: t.field({
    type: PostcodeCheckRef,
    args: { postcode: t.arg.string({ required: true }) },
    resolve: (_root, { postcode }, { services }) => services.checkPostcode(postcode),
  }),
}));
