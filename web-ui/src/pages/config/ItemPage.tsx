// The editor of one named object of a collection (a trunk, a PBX, a route),
// generated from its schema. New objects start from the schema's defaults.
// Saving writes the candidate only; the pending-changes bar commits.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, messageOf } from '../../api/client.js';
import { SchemaForm } from '../../components/form/SchemaForm.js';
import { announce } from '../../components/Toast.js';
import { href, navigate } from '../../router.js';
import { candidate, loadSchema, refreshPending, suggestionsFor } from '../../state/config.js';
import { canEdit } from '../../state/session.js';
import { initialValue } from '../../schema/defaults.js';
import { isObject, labelOf, type JsonObject, type JsonSchema, type JsonValue } from '../../schema/json-schema.js';
import type { Problem } from '../../schema/validate.js';
import { relativeTo } from './problems.js';

export function ItemPage(p: { collection: string; name: string }) {
  const isNew = p.name === '+new';
  const [itemSchema, setItemSchema] = useState<JsonSchema | undefined>(undefined);
  const [initial, setInitial] = useState<JsonObject | undefined>(undefined);
  const [serverProblems, setServerProblems] = useState<Problem[]>([]);
  const [general, setGeneral] = useState<string[]>([]);
  const [loadError, setLoadError] = useState('');
  // Remounts the form after a save, so it starts from what the server stored.
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    setInitial(undefined);
    setServerProblems([]);
    setGeneral([]);
    void (async () => {
      try {
        const s = await loadSchema();
        const is = s.properties?.[p.collection]?.items;
        if (!is) throw new Error(`The schema has no collection "${p.collection}".`);
        setItemSchema(is);
        if (isNew) setInitial(initialValue(is) as JsonObject);
        else setInitial(await api.get<JsonObject>(`/config/${p.collection}/${encodeURIComponent(p.name)}`));
        setLoadError('');
      } catch (err) {
        setLoadError(messageOf(err));
      }
    })();
  }, [p.collection, p.name]);

  const single = labelOf(p.collection).replace(/s$/, '');
  // "New trunk", "New PBX", "New SIP domain": lower-case only a capitalised word.
  const singleInText = /^[A-Z][a-z]/.test(single) ? single.charAt(0).toLowerCase() + single.slice(1) : single;
  if (loadError) {
    return (
      <section>
        <h1>{isNew ? `New ${singleInText}` : p.name}</h1>
        <p class="error" role="alert">
          {loadError}
        </p>
        <a href={href('config', p.collection)}>Back to {labelOf(p.collection)}</a>
      </section>
    );
  }
  if (!itemSchema || !initial) return <p class="loading">Loading…</p>;

  const save = async (value: JsonValue): Promise<void> => {
    setServerProblems([]);
    setGeneral([]);
    const body = isNew ? value : { ...(value as JsonObject), name: p.name };
    try {
      if (isNew) await api.post(`/config/${p.collection}`, body);
      else await api.put(`/config/${p.collection}/${encodeURIComponent(p.name)}`, body);
    } catch (err) {
      if (err instanceof ApiError && err.problems.length) {
        const { placed, general: rest } = relativeTo(err.problems, [p.collection, '*'], itemSchema);
        setServerProblems(placed);
        setGeneral([err.message, ...rest.map((x) => `${x.path || '/'}: ${x.message}`)]);
      } else {
        setGeneral([messageOf(err)]);
      }
      throw err;
    }
    announce(`${isNew ? 'Added' : 'Saved'} to the candidate`);
    await refreshPending().catch(() => undefined);
    if (isNew && isObject(value) && typeof value.name === 'string') navigate('config', p.collection, value.name);
    else {
      setInitial(await api.get<JsonObject>(`/config/${p.collection}/${encodeURIComponent(p.name)}`));
      setGeneration(generation + 1);
    }
  };

  return (
    <section aria-labelledby="page-title">
      <p class="crumbs">
        <a href={href('config', p.collection)}>{labelOf(p.collection)}</a> /
      </p>
      <h1 id="page-title">{isNew ? `New ${singleInText}` : `${single} ${p.name}`}</h1>
      {itemSchema.description ? <p class="help">{itemSchema.description}</p> : null}
      {general.length ? (
        <div class="error" role="alert">
          {general.map((g) => (
            <p key={g}>{g}</p>
          ))}
        </div>
      ) : null}
      <SchemaForm
        key={`${p.collection}/${p.name}/${generation}`}
        label={isNew ? `New ${singleInText}` : `${single} ${p.name}`}
        schema={itemSchema}
        fresh={isNew}
        initial={initial}
        hide={isNew ? [] : ['name']}
        readOnly={!canEdit.value}
        serverProblems={serverProblems}
        suggestions={suggestionsFor(candidate.value)}
        submitLabel={isNew ? 'Add to candidate' : 'Save to candidate'}
        onSubmit={save}
        actions={
          !isNew && canEdit.value ? (
            <button
              type="button"
              class="danger"
              onClick={async () => {
                if (!confirm(`Delete ${p.name} from the candidate?`)) return;
                try {
                  await api.del(`/config/${p.collection}/${encodeURIComponent(p.name)}`);
                  announce(`${p.name} deleted from the candidate`);
                  await refreshPending().catch(() => undefined);
                  navigate('config', p.collection);
                } catch (err) {
                  setGeneral([messageOf(err)]);
                }
              }}
            >
              Delete
            </button>
          ) : null
        }
      />
    </section>
  );
}
