// One field generated from its JSON Schema: picks the editor for the type
// (text, number, on/off, choice, secret, list, group, map, one-of).
import type { JsonSchema, JsonValue } from '../../schema/json-schema.js';
import { isChoiceSchema, isMapSchema, labelOf } from '../../schema/json-schema.js';
import { ArrayField } from './ArrayField.js';
import { ChoiceField } from './ChoiceField.js';
import { MapField } from './MapField.js';
import { ObjectField } from './ObjectField.js';
import { BooleanField, EnumField, NumberField, SecretField, TextField } from './ScalarFields.js';
import { useForm } from './context.js';

export interface SchemaFieldProps {
  schema: JsonSchema;
  value: JsonValue | undefined;
  onChange: (v: JsonValue | undefined) => void;
  path: string;
  /** The property name (drives the label and name suggestions). */
  name: string;
  label?: string;
  required?: boolean;
}

export function SchemaField(p: SchemaFieldProps) {
  const form = useForm();
  const s = p.schema;
  const label = p.label ?? labelOf(p.name);
  const onChange = (v: JsonValue | undefined): void => {
    form.markChanged(p.path);
    p.onChange(v);
  };
  const common = { schema: s, value: p.value, onChange, path: p.path, label, name: p.name, required: p.required ?? false };
  if (s.const !== undefined) return null; // fixed by the format (version: 1)
  if (s.type === 'object') {
    if (isMapSchema(s)) return <MapField {...common} />;
    if (isChoiceSchema(s)) return <ChoiceField {...common} />;
    return <ObjectField {...common} />;
  }
  if (s.type === 'array') return <ArrayField {...common} />;
  if (s.enum) return <EnumField {...common} />;
  if (s.type === 'boolean') return <BooleanField {...common} />;
  if (s.type === 'integer' || s.type === 'number') return <NumberField {...common} />;
  if (s.writeOnly) return <SecretField {...common} original={form.originalAt(p.path) as JsonValue | undefined} />;
  return <TextField {...common} />;
}
