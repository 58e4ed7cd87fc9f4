// Contact details: every field required, trimmed, in normal form C and free of
// control characters and unpaired surrogates (text.ts), the phone number parsed
// and normalised (E.164, GB by default), the postcode format-checked and
// normalised. Pure, so the gateway (before calling postcodes.io) and the
// replica (before committing) apply the same rules.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { isValid, toNormalised } from 'postcode';
import { storableText } from './text.ts';
import { CONTACT_FIELD_CHARS_MAX, type ContactDetails, type Outcome, type UserError, fail, ok, userError } from './types.ts';

const LABELS: Record<keyof ContactDetails, string> = {
  firstName: 'First name',
  lastName: 'Last name',
  phone: 'Phone number',
  postcode: 'Postcode',
  address: 'Address',
};

/** Every contact detail, in the order a form asks for them. */
export const CONTACT_DETAILS = Object.keys(LABELS) as (keyof ContactDetails)[];

/** The normalised form of a UK postcode ('sw1a1aa' -> 'SW1A 1AA'), or null when its format is wrong. */
export function normalisePostcode(raw: string): string | null {
  const trimmed = raw.trim();
  return isValid(trimmed) ? toNormalised(trimmed) : null;
}

/**
 * One contact detail checked alone: the form it is stored in (trimmed, NFC;
 * a phone number in E.164, a postcode normalised), or why it is refused. The
 * API's `contactDetail` query answers with it, so a client can check each
 * field as it is typed by the same rule that saving applies.
 */
export function checkContactDetail(key: keyof ContactDetails, raw: string): Outcome<string> {
  const checked = storableText(raw, { label: LABELS[key], field: [key], max: CONTACT_FIELD_CHARS_MAX });
  if (!checked.ok) return checked;
  const text = checked.value;
  if (key === 'phone') {
    const phone = parsePhoneNumberFromString(text, 'GB');
    return phone?.isValid() ? ok(phone.number) : fail(userError('INVALID_INPUT', `"${text}" is not a valid phone number.`, ['phone']));
  }
  if (key === 'postcode') {
    const postcode = normalisePostcode(text);
    return postcode ? ok(postcode) : fail(userError('INVALID_POSTCODE', `"${text}" is not a UK postcode (for example SW1A 1AA).`, ['postcode']));
  }
  return ok(text);
}

export function validateContactDetails(input: ContactDetails): Outcome<ContactDetails> {
  const errors: UserError[] = [];
  const value = {} as Record<keyof ContactDetails, string>;
  for (const key of CONTACT_DETAILS) {
    const checked = checkContactDetail(key, input[key] ?? '');
    if (checked.ok) value[key] = checked.value;
    else errors.push(...checked.errors);
  }
  return errors.length > 0 ? fail(...errors) : ok(value);
}
