// What every field of one generated form shares: the problems to show (from
// the schema check in the browser and from the server, by JSON Pointer),
// whether the form may be edited, and name suggestions for fields that refer
// to other objects (a route's trunk, a trunk's side).
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export interface FormContextValue {
  problems: Map<string, string[]>;
  /** Paths whose inline problems are shown (touched fields, or all after a save attempt). */
  shown: (path: string) => boolean;
  touch: (path: string) => void;
  readOnly: boolean;
  /** Names another field may refer to, by the field's key (side, trunk, pbx, …); undefined: not a reference. */
  suggestions: (key: string) => string[] | undefined;
  /** The value at `path` as loaded from the server (secrets: the mask when one is stored). */
  originalAt: (path: string) => unknown;
  /** Records that the person changed the field at `path` (SchemaField calls it). */
  markChanged: (path: string) => void;
}

export const FormContext = createContext<FormContextValue>({
  problems: new Map(),
  shown: () => true,
  touch: () => undefined,
  readOnly: false,
  suggestions: () => undefined,
  originalAt: () => undefined,
  markChanged: () => undefined,
});

export function useForm(): FormContextValue {
  return useContext(FormContext);
}

/** A DOM id from a JSON Pointer: stable, so labels, help and errors can point at the input. */
export function fieldId(path: string): string {
  return `f${path.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
}
