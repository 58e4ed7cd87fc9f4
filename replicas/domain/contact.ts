// Contact details: every field required, trimmed, in normal form C and free of
// control characters and unpaired surrogates (text.ts), the phone number parsed
// and normalised (E.164, GB by default), the postcode format-checked and
// normalised. Pure, so the gateway (before calling postcodes.io) and the
// replica (before committing) apply the same rules.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { isValid, toNormalised } from 'postcode';
import { unstorableText } from './text.ts';
import { CONTACT_FIELD_CHARS_MAX, type ContactDetails, type Outcome, type UserError, fail, ok, userError } from './types.ts';

const LABELS: Record<keyof ContactDetails, string> = {
  firstName: 'First name',
  lastName: 'Last name',
  phone: 'Phone number',
  postcode: 'Postcode',
  address: 'Address',
};

/** The normalised form of a UK postcode ('sw1a1aa' -> 'SW1A 1AA'), or null when its format is wrong. */
export function normalisePostcode(raw: string): string | null {
  const trimmed = raw.trim();
  return isValid(trimmed) ? toNormalised(trimmed) : null;
}

export function validateContactDetails(input: ContactDetails): Outcome<ContactDetails> {
  const errors: UserError[] = [];
  const value = {} as Record<keyof ContactDetails, string>;
  for (const key of Object.keys(LABELS) as (keyof ContactDetails)[]) {
    const text = (input[key] ?? '').trim().normalize('NFC');
    value[key] = text;
    const unstorable = unstorableText(text, LABELS[key], [key]);
    if (unstorable) errors.push(unstorable);
    else if (text.length === 0) errors.push(userError('INVALID_INPUT', `${LABELS[key]} is required.`, [key]));
    else if (text.length > CONTACT_FIELD_CHARS_MAX) errors.push(userError('INVALID_INPUT', `${LABELS[key]} is too long (at most ${CONTACT_FIELD_CHARS_MAX} characters).`, [key]));
  }
  const fine = (key: keyof ContactDetails) => !errors.some((e) => e.field?.[0] === key);
  if (value.phone && fine('phone')) {
    const phone = parsePhoneNumberFromString(value.phone, 'GB');
    if (phone?.isValid()) value.phone = phone.number;
    else errors.push(userError('INVALID_INPUT', `"${value.phone}" is not a valid phone number.`, ['phone']));
  }
  if (value.postcode && fine('postcode')) {
    const postcode = normalisePostcode(value.postcode);
    if (postcode) value.postcode = postcode;
    else errors.push(userError('INVALID_POSTCODE', `"${value.postcode}" is not a UK postcode (for example SW1A 1AA).`, ['postcode']));
  }
  return errors.length > 0 ? fail(...errors) : ok(value);
}
