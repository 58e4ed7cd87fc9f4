// Contact details: asked on a customer's first order, shown to confirm or
// update on later ones. The API is the authority on what is valid: the
// postcode is checked as soon as it is typed (and asked again until valid),
// and any field saveContactDetails rejects is asked again with its error.
import { randomUUID } from 'node:crypto';
import { confirm, input } from '@inquirer/prompts';
import type { ContactDetailsInput, UserErrorFieldsFragment } from '../gql/graphql.js';

/** The details asked for (the input without its idempotency key). */
type Details = Omit<ContactDetailsInput, 'idempotencyKey'>;
import { PostcodeQuery, SaveContactDetailsMutation, ViewerQuery } from '../operations.js';
import { bad, detailsBlock, good, say } from './output.js';
import type { Session } from './session.js';

const FIELDS: { key: keyof Details; label: string }[] = [
  { key: 'firstName', label: 'First name' },
  { key: 'lastName', label: 'Last name' },
  { key: 'phone', label: 'Phone number' },
  { key: 'postcode', label: 'Postcode' },
  { key: 'address', label: 'Address' },
];

const EMPTY: Details = { firstName: '', lastName: '', phone: '', postcode: '', address: '' };

/**
 * The customer the saved token belongs to, or null for a new one. A token the
 * gateway no longer knows (its data was reset, say) is dropped, with a word.
 */
export async function savedCustomer(session: Session): Promise<(Details & { id: string }) | null> {
  const { viewer } = await session.api.query(ViewerQuery, {});
  if (viewer) return viewer;
  if (session.token) {
    say(bad('This gateway no longer knows your saved details; you will be asked for them again.'));
    session.forget();
  }
  return null;
}

/** The customer to order for, with details they have confirmed; null when they gave up. */
export async function confirmedCustomer(session: Session): Promise<Details | null> {
  const customer = await savedCustomer(session);
  if (customer) {
    say('Your details:', ...detailsBlock(customer));
    if (await confirm({ message: 'Are these details correct?', default: true })) return customer;
    say('Update your details (Enter keeps the value shown):');
    return saveDetails(session, customer);
  }
  say('Your contact details, please:');
  return saveDetails(session, EMPTY);
}

async function saveDetails(session: Session, saved: Details): Promise<Details | null> {
  // Only the input's fields: a saved customer also has an id, which the input type refuses.
  const details: Details = { firstName: saved.firstName, lastName: saved.lastName, phone: saved.phone, postcode: saved.postcode, address: saved.address };
  let toAsk = new Map<keyof Details, string | null>(FIELDS.map((f) => [f.key, null]));
  let keyed = { details: '', key: '' };
  for (;;) {
    for (const { key, label } of FIELDS) {
      if (!toAsk.has(key)) continue;
      const error = toAsk.get(key);
      if (error) say(bad(error));
      // A rejected value is not offered again as the default.
      const current = error ? '' : details[key];
      details[key] = key === 'postcode' ? await askPostcode(session, current) : await askField(label, current);
    }
    // The same key for every attempt at the same details (an attempt whose answer was lost is not made twice).
    const asked = JSON.stringify(details);
    if (asked !== keyed.details) keyed = { details: asked, key: randomUUID() };
    const { saveContactDetails: payload } = await session.api.mutation(SaveContactDetailsMutation, { input: { ...details, idempotencyKey: keyed.key } });
    if (payload.customer) {
      if (payload.token) session.remember(payload.token);
      say(good('Details saved.'));
      return payload.customer;
    }
    toAsk = fieldsToAskAgain(payload.errors);
    if (toAsk.size === 0) {
      // Not about a field (the service is busy or down): the customer decides whether to try again.
      say(...payload.errors.map((e) => bad(e.message)));
      if (!(await confirm({ message: 'Try saving your details again?', default: true }))) return null;
    }
  }
}

function fieldsToAskAgain(errors: UserErrorFieldsFragment[]): Map<keyof Details, string> {
  const fields = new Map<keyof Details, string>();
  for (const error of errors) {
    const field = FIELDS.find((f) => f.key === error.field?.[0]);
    if (field) fields.set(field.key, [fields.get(field.key), error.message].filter(Boolean).join(' '));
  }
  return fields;
}

async function askField(label: string, current: string): Promise<string> {
  const answer = await input({
    message: `${label}:`,
    default: current || undefined,
    validate: (value) => (value.trim() ? true : `${label} is required.`),
  });
  return answer.trim();
}

/** Asks until the API says the postcode is valid; returns it normalised ('sw1a1aa' -> 'SW1A 1AA'). */
async function askPostcode(session: Session, current: string): Promise<string> {
  for (let suggestion = current; ; suggestion = '') {
    const postcode = await askField('Postcode', suggestion);
    const { postcode: check } = await session.api.query(PostcodeQuery, { postcode });
    if (check.valid) return check.postcode;
    const errors = check.errors.length > 0 ? check.errors.map((e) => e.message) : [`"${postcode}" is not a valid postcode.`];
    say(...errors.map(bad));
  }
}
