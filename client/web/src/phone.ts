// Phone numbers as people write them: the API keeps E.164 (+442079460018);
// a UK customer reads and types 020 7946 0018, anyone else the international form.
import parsePhoneNumber from 'libphonenumber-js';

export function formatPhone(e164: string): string {
  const number = parsePhoneNumber(e164);
  if (!number?.isPossible()) return e164; // not a number we can read: show it as it came
  return number.countryCallingCode === '44' ? number.formatNational() : number.formatInternational();
}
