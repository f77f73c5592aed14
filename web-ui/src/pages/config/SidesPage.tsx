// Network sides (lan, wan, …): a map by name in the document, so the list
// comes from the candidate and each side is written with PUT /config/sides/:name.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, messageOf } from '../../api/client.js';
import { SchemaForm } from '../../components/form/SchemaForm.js';
import { announce } from '../../components/Toast.js';
import { href, navigate } from '../../router.js';
import { candidate, loadSchema, refreshPending } from '../../state/config.js';
import { canEdit } from '../../state/session.js';
import { initialValue } from '../../schema/defaults.js';
import { isObject, type JsonObject, type JsonSchema, type JsonValue } from '../../schema/json-schema.js';
import type { Problem } from '../../schema/validate.js';
import { relativeTo } from './problems.js';

export function SidesPage() {
  useEffect(() => {
    void refreshPending().catch(() => undefined);
  }, []);
  const sides = isObject(candidate.value?.sides) ? candidate.value.sides : {};
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Sides</h1>
      <p class="help">A side is a network the box listens on (lan towards the PBX, wan towards Vonage).</p>
      {canEdit.value ? (
        <p>
          <a class="button primary" href={href('config', 'sides', '+new')}>
            Add a side
          </a>
        </p>
      ) : null}
      <table class="list">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Addresses</th>
            <th scope="col">UDP</th>
            <th scope="col">TCP</th>
            <th scope="col">TLS</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(sides).map(([name, s]) => {
            const side = isObject(s) ? s : {};
            return (
              <tr key={name}>
                <th scope="row">
                  <a href={href('config', 'sides', name)}>{name}</a>
                </th>
                <td>{Array.isArray(side.addresses) ? side.addresses.join(', ') : ''}</td>
                <td>{String(side.udp ?? '')}</td>
                <td>{String(side.tcp ?? '')}</td>
                <td>{String(side.tls ?? '')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

export function SidePage(p: { name: string }) {
  const isNew = p.name === '+new';
  const [sideSchema, setSideSchema] = useState<JsonSchema | undefined>(undefined);
  const [nameSchema, setNameSchema] = useState<JsonSchema | undefined>(undefined);
  const [initial, setInitial] = useState<JsonObject | undefined>(undefined);
  const [newName, setNewName] = useState('');
  const [serverProblems, setServerProblems] = useState<Problem[]>([]);
  const [general, setGeneral] = useState<string[]>([]);
  const [generation, setGeneration] = useState(0);

  const load = async (): Promise<void> => {
    try {
      const s = await loadSchema();
      const sides = s.properties?.sides;
      const ss = typeof sides?.additionalProperties === 'object' ? sides.additionalProperties : undefined;
      if (!ss) throw new Error('The schema has no sides.');
      setSideSchema(ss);
      setNameSchema(sides?.propertyNames);
      setInitial(isNew ? (initialValue(ss) as JsonObject) : await api.get<JsonObject>(`/config/sides/${encodeURIComponent(p.name)}`));
    } catch (err) {
      setGeneral([messageOf(err)]);
    }
  };
  useEffect(() => {
    setInitial(undefined);
    void load();
  }, [p.name]);

  const nameRe = nameSchema?.pattern ? new RegExp(nameSchema.pattern, 'u') : undefined;
  const nameProblems: Problem[] =
    isNew && (!newName || (nameRe && !nameRe.test(newName))) ? [{ path: '/(name)', message: newName ? `must match ${nameSchema?.pattern}` : 'is required' }] : [];

  const save = async (value: JsonValue): Promise<void> => {
    const name = isNew ? newName : p.name;
    setServerProblems([]);
    setGeneral([]);
    try {
      await api.put(`/config/sides/${encodeURIComponent(name)}`, value);
    } catch (err) {
      if (err instanceof ApiError && err.problems.length && sideSchema) {
        const { placed, general: rest } = relativeTo(err.problems, ['sides', name], sideSchema);
        setServerProblems(placed);
        setGeneral([err.message, ...rest.map((x) => `${x.path || '/'}: ${x.message}`)]);
      } else setGeneral([messageOf(err)]);
      throw err;
    }
    announce('Saved to the candidate');
    await refreshPending().catch(() => undefined);
    if (isNew) navigate('config', 'sides', name);
    else {
      await load();
      setGeneration(generation + 1);
    }
  };

  return (
    <section aria-labelledby="page-title">
      <p class="crumbs">
        <a href={href('config', 'sides')}>Sides</a> /
      </p>
      <h1 id="page-title">{isNew ? 'New side' : `Side ${p.name}`}</h1>
      {general.length ? (
        <div class="error" role="alert">
          {general.map((g) => (
            <p key={g}>{g}</p>
          ))}
        </div>
      ) : null}
      {sideSchema && initial ? (
        <SchemaForm
          key={`${p.name}/${generation}`}
          label={isNew ? 'New side' : `Side ${p.name}`}
          schema={sideSchema}
          fresh={isNew}
          initial={initial}
          readOnly={!canEdit.value}
          serverProblems={serverProblems}
          extraProblems={nameProblems}
          before={
            isNew ? (
              <div class={`field${nameProblems.length && newName ? ' invalid' : ''}`}>
                <div class="label-cell">
                  <label for="f_2f_28name_29">Name</label>
                  <span class="req" aria-hidden="true">
                    {' '}
                    *
                  </span>
                </div>
                <input id="f_2f_28name_29" type="text" required value={newName} onInput={(e) => setNewName((e.currentTarget as HTMLInputElement).value)} />
                {nameProblems.length && newName ? <p class="error">{nameProblems[0]!.message}</p> : null}
              </div>
            ) : null
          }
          onSubmit={save}
          actions={
            !isNew && canEdit.value ? (
              <button
                type="button"
                class="danger"
                onClick={async () => {
                  if (!confirm(`Delete side ${p.name} from the candidate?`)) return;
                  try {
                    await api.del(`/config/sides/${encodeURIComponent(p.name)}`);
                    await refreshPending().catch(() => undefined);
                    navigate('config', 'sides');
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
      ) : (
        <p class="loading">Loading…</p>
      )}
    </section>
  );
}
