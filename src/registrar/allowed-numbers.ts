// A PBX's allowed_numbers (V-OUT-5 fraud guard): the caller IDs it may send
// toward trunks, exact E.164 digits or a prefix with a trailing "*"; an
// empty list allows any.
import type { PbxConfig } from '../config/document.js';

// The caller's digits: a leading "+" and visual separators dropped.
export function callerDigits(user: string): string {
  return user.replace(/^\+/, '').replace(/[-.() ]/g, '');
}

export function callerAllowed(pbx: Pick<PbxConfig, 'allowed_numbers'>, caller: string): boolean {
  const list = pbx.allowed_numbers ?? [];
  if (list.length === 0) return true;
  const digits = callerDigits(caller);
  return list.some((n) => (n.endsWith('*') ? digits.startsWith(n.slice(0, -1)) : digits === n));
}
