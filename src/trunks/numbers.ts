// Telephone numbers toward a Vonage trunk (V-OUT-4, V-OUT-5): the
// Request-URI user and the From user are E.164 without "+" (country code +
// national number). A PBX dials in whatever form its users type; this reads
// the forms PBXs send, with the trunk's country where a form needs one:
//
//   +447700900000    "+" international                 -> 447700900000
//   00447700900000   the country's international prefix -> 447700900000
//   011447700900000  (00 in most countries, 011 in NANP, 0011 in AU … as
//                    libphonenumber's metadata says)
//   07700900000      national, with the national prefix -> 447700900000
//   4155550100       national significant number (valid for the country)
//   447700900000     already E.164 without "+"           -> as is
//
// Separators (spaces, - . ( )) are dropped. A number none of these reads is
// refused with a reason the caller can show (484 to the PBX for a callee).
// The E.164 check is deliberately loose (known country code, 7..15 digits,
// not too short for that country): Vonage decides what it can route, and
// the spec's own example 331908817135 (CC 33 + an extension) is longer than
// a French number may be.
import {
  Metadata,
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
  type NumberingPlan,
} from 'libphonenumber-js/max';

export type NumberForm = 'plus' | 'idd' | 'national' | 'e164';

export type Normalised = { ok: true; e164: string; form: NumberForm } | { ok: false; reason: string };

interface Plan {
  cc: string;
  idd: RegExp | null;
  nationalPrefix: string;
}

const plans = new Map<string, Plan>();

function planOf(country: CountryCode): Plan {
  let p = plans.get(country);
  if (p) return p;
  const meta = new Metadata();
  meta.selectNumberingPlan(country);
  const np = meta.numberingPlan as (NumberingPlan & { nationalPrefix(): string | undefined }) | undefined;
  const idd = np?.IDDPrefix();
  p = {
    cc: getCountryCallingCode(country),
    idd: idd ? new RegExp(`^(?:${idd})`) : null,
    nationalPrefix: np?.nationalPrefix() ?? '',
  };
  plans.set(country, p);
  return p;
}

export function isKnownCountry(country: string): boolean {
  return isSupportedCountry(country);
}

function fail(reason: string): Normalised {
  return { ok: false, reason };
}

// digits = country code + national number, nothing else.
function asE164(digits: string, form: NumberForm, shown: string): Normalised {
  if (digits.length === 0) return fail(`"${shown}" has no digits after its prefix`);
  if (digits.startsWith('0')) return fail(`"${shown}" starts with 0 after the international prefix: no country code does`);
  if (digits.length > 15) return fail(`"${shown}" is longer than the 15 digits E.164 allows`);
  if (digits.length < 7) return fail(`"${shown}" is too short for an E.164 number`);
  const check = validatePhoneNumberLength(`+${digits}`);
  if (check === 'INVALID_COUNTRY' || check === 'NOT_A_NUMBER') return fail(`"${shown}" does not start with a known country code`);
  if (check === 'TOO_SHORT') return fail(`"${shown}" is too short for its country code`);
  return { ok: true, e164: digits, form };
}

/**
 * The E.164 digits (no "+") for a number as a PBX sent it, read with the
 * trunk's country (ISO 3166-1 alpha-2, "" = none: only international forms).
 */
export function normaliseNumber(input: string, country: string): Normalised {
  let text = input.split(';')[0] ?? '';
  try {
    text = decodeURIComponent(text); // %2B is "+" in a SIP user part
  } catch {
    return fail(`"${input}" is not a telephone number`);
  }
  const compact = text.replace(/[\s\-.()]/g, '');
  if (!/^\+?[0-9]+$/.test(compact)) return fail(`"${input}" is not a telephone number`);
  if (compact.startsWith('+')) return asE164(compact.slice(1), 'plus', input);

  if (country === '') {
    if (compact.startsWith('0')) return fail(`"${input}" is a national or prefixed number and the trunk has no country to read it with`);
    return asE164(compact, 'e164', input);
  }
  if (!isSupportedCountry(country)) return fail(`unknown country "${country}"`);
  const plan = planOf(country);

  const idd = plan.idd?.exec(compact);
  if (idd && idd[0].length > 0) return asE164(compact.slice(idd[0].length), 'idd', input);

  if (plan.nationalPrefix !== '' && compact.startsWith(plan.nationalPrefix)) {
    const p = parsePhoneNumberFromString(compact, country);
    if (p && p.isPossible()) return { ok: true, e164: p.number.slice(1), form: 'national' };
    const why = validatePhoneNumberLength(compact, country);
    const what = why === 'TOO_SHORT' ? 'too short' : why === 'TOO_LONG' ? 'too long' : 'not a possible length';
    return fail(`"${input}" is ${what} for a national number of ${country}`);
  }

  // No prefix at all: a valid national significant number of the trunk's
  // country (4155550100 in the US) is national; anything else is taken as
  // E.164 already.
  const p = parsePhoneNumberFromString(compact, country);
  if (p && p.isValid() && p.countryCallingCode === plan.cc && p.nationalNumber === compact) {
    return { ok: true, e164: p.number.slice(1), form: 'national' };
  }
  return asE164(compact, 'e164', input);
}
