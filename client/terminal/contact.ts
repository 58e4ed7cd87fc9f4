// Contact details: asked on a customer's first order, shown to confirm or
// update on later ones. Each field is checked by the API as it is typed (its
// contactDetail query, and for the postcode its postcode query, which also
// asks postcodes.io); saving checks them all again, and any field it rejects
// is asked again with its error.
import { randomUUID } from 'node:crypto';
import { confirm, input, select } from '@inquirer/prompts';
import type { ContactDetailField, ContactDetailsInput, UserErrorFieldsFragment } from '../gql/graphql.js';
import { ContactDetailQuery, PostcodeQuery, SaveContactDetailsMutation, ViewerQuery } from '../operations.js';
import { INPUT_THEME, answer, bad, detailsBlock, dim, good, say } from './output.js';
import type { Session } from './session.js';

/** The details asked for (the input without its idempotency key). */
type Details = Omit<ContactDetailsInput, 'idempotencyKey'>;

type ContactField = keyof Details;

/** The fields in the order they are asked for, each with its prompt and its name in the API's contactDetail query. */
const FIELDS: ContactField[] = ['firstName', 'lastName', 'phone', 'postcode', 'address'];
const LABELS: Record<ContactField, string> = { firstName: 'First name', lastName: 'Last name', phone: 'Phone number', postcode: 'Postcode', address: 'Address' };
const API_FIELDS: Record<ContactField, ContactDetailField> = { firstName: 'FIRST_NAME', lastName: 'LAST_NAME', phone: 'PHONE', postcode: 'POSTCODE', address: 'ADDRESS' };

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
  let toAsk = new Map<ContactField, string | null>(FIELDS.map((key) => [key, null]));
  let keyed = { details: '', key: '' };
  for (;;) {
    for (const key of FIELDS) {
      if (!toAsk.has(key)) continue;
      const error = toAsk.get(key);
      if (error) say(bad(error));
      // A rejected value is not offered again as the default.
      const current = error ? '' : details[key];
      const answered = key === 'postcode' ? await askPostcode(session, current) : await askField(session, key, current);
      if (answered === null) {
        say('Your details were not saved.');
        return null;
      }
      details[key] = answered;
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
      // Nothing to correct (the service is busy, or the postcode service down): the customer decides whether to try again.
      say(...payload.errors.map((e) => bad(e.message)));
      if (!(await confirm({ message: 'Try saving your details again?', default: true }))) {
        say('Your details were not saved.');
        return null;
      }
    }
  }
}

/** The fields to correct, each with the API's words; a postcode that could not be checked is not the customer's to correct. */
function fieldsToAskAgain(errors: UserErrorFieldsFragment[]): Map<ContactField, string> {
  const fields = new Map<ContactField, string>();
  for (const error of errors) {
    const key = FIELDS.find((f) => f === error.field?.[0]);
    if (key && error.code !== 'POSTCODE_SERVICE_UNAVAILABLE') fields.set(key, [fields.get(key), error.message].filter(Boolean).join(' '));
  }
  return fields;
}

async function askField(session: Session, key: ContactField, current: string): Promise<string> {
  const answered = await input({
    message: `${LABELS[key]}:`,
    default: current || undefined,
    theme: INPUT_THEME,
    validate: (value) => refusal(session, key, value),
  });
  return answered.trim();
}

/**
 * The API's refusal of one field as typed (its message), or true when it
 * would take it. If the API cannot be asked, the field is taken: saving
 * checks every field again and reports what it refuses.
 */
async function refusal(session: Session, key: ContactField, value: string): Promise<string | true> {
  try {
    const { contactDetail } = await session.api.query(ContactDetailQuery, { field: API_FIELDS[key], value });
    return contactDetail.errors.map((e) => e.message).join(' ') || true;
  } catch {
    return true;
  }
}

/** What the API said of a typed postcode. */
type PostcodeCheck =
  | { kind: 'valid'; postcode: string }
  | { kind: 'invalid'; message: string }
  | { kind: 'unavailable'; message: string }
  | { kind: 'failed'; error: unknown };

/**
 * Asks for a postcode, checked by the API as it is entered (a refused one
 * stays in the prompt to be corrected), and returns it normalised
 * ('sw1a1aa' -> 'SW1A 1AA'), as the answer line then shows it. While the
 * postcode service is down, the typed postcode is kept: the customer tries
 * again or goes back (null).
 */
async function askPostcode(session: Session, current: string): Promise<string | null> {
  let suggestion = current;
  let retry = false;
  for (;;) {
    // Set by validate, which runs inside the prompt; read once the prompt is done.
    const last: { check?: PostcodeCheck } = {};
    const typed = await input({
      message: `${LABELS.postcode}:`,
      default: suggestion || undefined,
      // On a retry the postcode is back in the prompt, as typed: Enter sends it again.
      prefill: retry ? 'editable' : 'tab',
      theme: INPUT_THEME,
      validate: async (value) => {
        if (!value.trim()) return `${LABELS.postcode} is required.`;
        last.check = await checkPostcode(session, value.trim());
        return last.check.kind === 'invalid' ? last.check.message : true;
      },
      transformer: (value, { isFinal }) => (isFinal ? shownPostcode(value, last.check) : value),
    });
    const check = last.check;
    if (!check || check.kind === 'invalid') throw new Error('the postcode prompt ended without an answer from the API');
    if (check.kind === 'valid') return check.postcode;
    if (check.kind === 'failed') throw check.error;
    say(bad(check.message));
    const next = await select({
      message: 'The postcode could not be checked:',
      choices: [
        { name: 'Try again', value: 'retry' },
        { name: 'Back to the menu', value: 'back' },
      ],
    });
    if (next === 'back') return null;
    suggestion = typed.trim();
    retry = true;
  }
}

/** The answer line: the postcode as the API normalised it, or as typed if it could not be checked. */
function shownPostcode(typed: string, check: PostcodeCheck | undefined): string {
  if (check?.kind === 'valid') return answer(check.postcode);
  return `${answer(typed.trim())} ${dim('(not checked)')}`;
}

async function checkPostcode(session: Session, postcode: string): Promise<PostcodeCheck> {
  try {
    const { postcode: check } = await session.api.query(PostcodeQuery, { postcode });
    if (check.valid) return { kind: 'valid', postcode: check.postcode };
    const unavailable = check.errors.find((e) => e.code === 'POSTCODE_SERVICE_UNAVAILABLE');
    if (unavailable) return { kind: 'unavailable', message: unavailable.message };
    return { kind: 'invalid', message: check.errors.map((e) => e.message).join(' ') || `"${postcode}" is not a valid postcode.` };
  } catch (error) {
    // Thrown inside the prompt, it would escape as an unhandled rejection: carried out of it instead, and thrown there.
    return { kind: 'failed', error };
  }
}
