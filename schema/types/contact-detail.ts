import { CONTACT_DETAILS } from '../../replicas/domain/contact.ts';
import type { ContactDetails, Outcome } from '../../replicas/domain/types.ts';
import { builder } from '../builder.ts';
import { UserErrorRef } from './errors.ts';

/** FIRST_NAME for firstName, and so on: the fields of ContactDetailsInput. */
const enumName = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

export const ContactDetailFieldRef = builder.enumType('ContactDetailField', {
  description: 'One field of ContactDetailsInput.',
  values: Object.fromEntries(CONTACT_DETAILS.map((key) => [enumName(key), { value: key }])) as Record<string, { value: keyof ContactDetails }>,
});

export const ContactDetailCheckRef = builder.objectRef<Outcome<string>>('ContactDetailCheck').implement({
  description: 'One contact detail checked by the rules saveContactDetails applies, without saving anything.',
  fields: (t) => ({
    value: t.field({
      type: 'String',
      nullable: true,
      description: 'The form it would be stored in (trimmed; a phone number in E.164, a postcode normalised), or null when it is refused.',
      resolve: (o) => (o.ok ? o.value : null),
    }),
    errors: t.field({ type: [UserErrorRef], resolve: (o) => (o.ok ? [] : o.errors) }),
  }),
});
