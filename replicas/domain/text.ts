// Text as the store keeps it: what a client sends is stored, and echoed back,
// exactly. SQLite stores UTF-8, so a lone surrogate (a half of a UTF-16 pair,
// which JSON can carry) would be written as U+FFFD and read back as something
// the client never sent; control characters (NUL, escapes, line breaks in a
// name) are never part of a name, an address or a key. Both are refused, and
// accepted text is put in Unicode normal form C, so "é" typed two ways is one
// name.
import { type Outcome, type UserError, fail, ok, userError } from './types.ts';

/**
 * A character no stored text may hold: a control character (category Cc) or
 * a surrogate (Cs), which a `u` regular expression sees only unpaired.
 */
const FORBIDDEN = /\p{Cc}|\p{Cs}/u;

/** Why `text` cannot be stored as given (naming `label` and `field`), or null. */
export function unstorableText(text: string, label: string, field: string[]): UserError | null {
  const found = FORBIDDEN.exec(text);
  if (!found) return null;
  const code = found[0].codePointAt(0) ?? 0;
  const what = code >= 0xd800 && code <= 0xdfff ? 'half of a character (an unpaired surrogate)' : `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
  return userError('INVALID_INPUT', `${label} contains ${what}.`, field);
}

/**
 * Text a person typed, as it is stored: trimmed, in normal form C, of 1 to
 * `max` characters that can be stored; or why not, naming `label` and
 * `field` (`required` says what an empty one lacks, if more than that it is
 * required). Contact details, staff names and rejection reasons all pass here.
 */
export function storableText(raw: string, rule: { label: string; field: string[]; max: number; required?: string }): Outcome<string> {
  const text = raw.trim().normalize('NFC');
  const unstorable = unstorableText(text, rule.label, rule.field);
  if (unstorable) return fail(unstorable);
  if (text.length === 0) return fail(userError('INVALID_INPUT', rule.required ?? `${rule.label} is required.`, rule.field));
  if (text.length > rule.max) return fail(userError('INVALID_INPUT', `${rule.label} is too long (at most ${rule.max} characters).`, rule.field));
  return ok(text);
}
