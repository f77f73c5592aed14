// The Contact list of a REGISTER (RFC 3261 §10.2.1, §10.3 step 6): each
// contact with the expiry it asks for (its ;expires, else the Expires
// header, else our default), or "*" to remove every binding.
import { parseNameAddr, parseUri, splitCommaList, type Headers } from '../sip/index.js';

export const DEFAULT_EXPIRES_S = 3600;
export const MIN_EXPIRES_S = 60;
export const MAX_EXPIRES_S = 3600;
// A PBX has a few contacts at most; more is a mistake or an attack.
export const MAX_CONTACTS = 10;

export interface ContactAsked {
  uri: string;
  host: string;
  port: number;
  transport: string; // "" when the URI does not say
  expiresS: number;
}

export type ContactList =
  | { kind: 'query' } // no Contact: the client asks for its bindings
  | { kind: 'remove-all' }
  | { kind: 'update'; contacts: ContactAsked[] }
  | { kind: 'bad'; why: string };

function expiresOf(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*[0-9]{1,10}\s*$/.test(text)) return undefined;
  return Number(text);
}

export function parseContacts(headers: Headers): ContactList {
  const values = headers.getAll('contact').flatMap((v) => splitCommaList(v));
  const headerExpires = expiresOf(headers.get('expires'));
  if (values.length === 0) return { kind: 'query' };
  if (values.some((v) => v.trim() === '*')) {
    // RFC 3261 §10.3 step 6: "*" only alone and with Expires: 0.
    if (values.length !== 1 || headerExpires !== 0) return { kind: 'bad', why: 'Contact * needs Expires: 0 and no other contact' };
    return { kind: 'remove-all' };
  }
  if (values.length > MAX_CONTACTS) return { kind: 'bad', why: `more than ${MAX_CONTACTS} contacts` };
  const contacts: ContactAsked[] = [];
  for (const v of values) {
    const na = parseNameAddr(v);
    const uri = na ? parseUri(na.uri) : null;
    if (!na || !uri || (uri.scheme !== 'sip' && uri.scheme !== 'sips') || uri.host === '') {
      return { kind: 'bad', why: 'malformed Contact' };
    }
    contacts.push({
      uri: na.uri,
      host: uri.host,
      port: uri.port,
      transport: (uri.params.transport ?? '').toLowerCase(),
      expiresS: expiresOf(na.params.expires) ?? headerExpires ?? DEFAULT_EXPIRES_S,
    });
  }
  return { kind: 'update', contacts };
}
