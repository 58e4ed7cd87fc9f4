import type { Customer, Outcome } from '../../replicas/domain/types.ts';
import { builder } from '../builder.ts';
import { CustomerRef } from '../types/customer.ts';
import { UserErrorRef } from '../types/errors.ts';
import { IDEMPOTENCY_KEY_DESCRIPTION, limited } from './payloads.ts';

const ContactDetailsInputRef = builder.inputType('ContactDetailsInput', {
  fields: (t) => ({
    firstName: t.string({ required: true }),
    lastName: t.string({ required: true }),
    phone: t.string({ required: true, description: 'A UK number unless it starts with +.' }),
    postcode: t.string({ required: true }),
    address: t.string({ required: true }),
    idempotencyKey: t.string({
      required: false,
      description: `${IDEMPOTENCY_KEY_DESCRIPTION} A sign-up's key (no token sent) must be random and at least 16 characters: a retry with it gets the same customer and token.`,
    }),
  }),
});

type Saved = Outcome<{ customer: Customer; token: string | null }>;

const PayloadRef = builder.objectRef<Saved>('SaveContactDetailsPayload').implement({
  fields: (t) => ({
    customer: t.field({ type: CustomerRef, nullable: true, resolve: (o) => (o.ok ? o.value.customer : null) }),
    token: t.string({
      nullable: true,
      description: 'Only when a customer is created: send it as "Authorization: Bearer <token>" from then on.',
      resolve: (o) => (o.ok ? o.value.token : null),
    }),
    errors: t.field({ type: [UserErrorRef], resolve: (o) => (o.ok ? [] : o.errors) }),
  }),
});

builder.mutationField('saveContactDetails', (t) =>
  t.field({
    type: PayloadRef,
    description: 'Without a token: creates a customer and returns its token. With one: updates that customer.',
    args: { input: t.arg({ type: ContactDetailsInputRef, required: true }) },
    resolve: (_root, { input }, { services, viewerId, mutationAllowed }) =>
      limited(mutationAllowed, async () => {
        const { idempotencyKey, ...details } = input;
        return services.saveContactDetails(await viewerId(), details, idempotencyKey);
      }),
  }),
);
