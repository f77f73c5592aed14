// A list of one collection of the candidate (trunks, PBXs, routes, …) with a
// summary column per key field, links to each editor, Add and Delete.
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../../api/client.js';
import { announce } from '../../components/Toast.js';
import { href } from '../../router.js';
import { listOf, loadSchema, refreshPending } from '../../state/config.js';
import { canEdit } from '../../state/session.js';
import { isObject, labelOf, type JsonObject, type JsonSchema } from '../../schema/json-schema.js';

const SUMMARY = ['kind', 'side', 'from_side', 'transport', 'host', 'port', 'region', 'auth', 'to', 'priority', 'enabled'];

function summary(v: unknown): string {
  if (isObject(v)) {
    return Object.entries(v)
      .map(([k, x]) => `${k}: ${Array.isArray(x) ? x.map((e) => (isObject(e) ? (e.pbx ?? e.name ?? JSON.stringify(e)) : e)).join(', ') : String(x)}`)
      .join('; ');
  }
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return v === undefined ? '' : String(v);
}

export function CollectionPage(p: { collection: string }) {
  const [items, setItems] = useState<JsonObject[] | undefined>(undefined);
  const [itemSchema, setItemSchema] = useState<JsonSchema | undefined>(undefined);
  const [error, setError] = useState('');

  const load = async (): Promise<void> => {
    try {
      const s = await loadSchema();
      setItemSchema(s.properties?.[p.collection]?.items);
      setItems(listOf<JsonObject>(await api.get<unknown>(`/config/${p.collection}`), p.collection));
      setError('');
    } catch (err) {
      setError(messageOf(err));
    }
  };
  useEffect(() => {
    setItems(undefined);
    void load();
  }, [p.collection]);

  const cols = SUMMARY.filter((c) => itemSchema?.properties?.[c]);
  const title = labelOf(p.collection);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      {itemSchema?.description ? <p class="help">{itemSchema.description}</p> : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {canEdit.value ? (
        <p>
          <a class="button primary" href={href('config', p.collection, '+new')}>
            Add to {/^[A-Z][a-z]/.test(title) ? title.charAt(0).toLowerCase() + title.slice(1) : title}
          </a>
        </p>
      ) : null}
      {items === undefined ? (
        <p class="loading">Loading…</p>
      ) : items.length === 0 ? (
        <p class="empty">None in the candidate.</p>
      ) : (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              {cols.map((c) => (
                <th scope="col" key={c}>
                  {labelOf(c)}
                </th>
              ))}
              {canEdit.value ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {items.map((it) => {
              const name = String(it.name);
              return (
                <tr key={name}>
                  <th scope="row">
                    <a href={href('config', p.collection, name)}>{name}</a>
                  </th>
                  {cols.map((c) => (
                    <td key={c}>{summary(it[c])}</td>
                  ))}
                  {canEdit.value ? (
                    <td>
                      <button
                        type="button"
                        class="small danger"
                        aria-label={`Delete ${name}`}
                        onClick={async () => {
                          if (!confirm(`Delete ${name} from the candidate?`)) return;
                          try {
                            await api.del(`/config/${p.collection}/${encodeURIComponent(name)}`);
                            announce(`${name} deleted from the candidate`);
                            await Promise.all([load(), refreshPending()]);
                          } catch (err) {
                            setError(messageOf(err));
                          }
                        }}
                      >
                        Delete
                      </button>
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
