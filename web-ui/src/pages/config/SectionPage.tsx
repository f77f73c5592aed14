// One section of the document with fixed fields (system, sip, tls, media,
// firewall), edited as a whole and written to the candidate.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, messageOf } from '../../api/client.js';
import { SchemaForm } from '../../components/form/SchemaForm.js';
import { announce } from '../../components/Toast.js';
import { candidate, loadSchema, refreshPending, suggestionsFor } from '../../state/config.js';
import { canEdit } from '../../state/session.js';
import { labelOf, type JsonObject, type JsonSchema, type JsonValue } from '../../schema/json-schema.js';
import type { Problem } from '../../schema/validate.js';
import { relativeTo } from './problems.js';

export function SectionPage(p: { section: string }) {
  const [sectionSchema, setSectionSchema] = useState<JsonSchema | undefined>(undefined);
  const [initial, setInitial] = useState<JsonObject | undefined>(undefined);
  const [serverProblems, setServerProblems] = useState<Problem[]>([]);
  const [general, setGeneral] = useState<string[]>([]);
  const [generation, setGeneration] = useState(0);

  const load = async (): Promise<void> => {
    try {
      const s = await loadSchema();
      const ss = s.properties?.[p.section];
      if (!ss) throw new Error(`The schema has no section "${p.section}".`);
      setSectionSchema(ss);
      setInitial(await api.get<JsonObject>(`/config/section/${p.section}`));
    } catch (err) {
      setGeneral([messageOf(err)]);
    }
  };
  useEffect(() => {
    setInitial(undefined);
    setGeneral([]);
    setServerProblems([]);
    void load();
  }, [p.section]);

  const save = async (value: JsonValue): Promise<void> => {
    setServerProblems([]);
    setGeneral([]);
    try {
      await api.put(`/config/section/${p.section}`, value);
    } catch (err) {
      if (err instanceof ApiError && err.problems.length && sectionSchema) {
        const { placed, general: rest } = relativeTo(err.problems, [p.section], sectionSchema);
        setServerProblems(placed);
        setGeneral([err.message, ...rest.map((x) => `${x.path || '/'}: ${x.message}`)]);
      } else setGeneral([messageOf(err)]);
      throw err;
    }
    announce('Saved to the candidate');
    await refreshPending().catch(() => undefined);
    await load();
    setGeneration(generation + 1);
  };

  const title = labelOf(p.section);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      {sectionSchema?.description ? <p class="help">{sectionSchema.description}</p> : null}
      {general.length ? (
        <div class="error" role="alert">
          {general.map((g) => (
            <p key={g}>{g}</p>
          ))}
        </div>
      ) : null}
      {sectionSchema && initial ? (
        <SchemaForm
          key={`${p.section}/${generation}`}
          label={title}
          schema={sectionSchema}
          initial={initial}
          readOnly={!canEdit.value}
          serverProblems={serverProblems}
          suggestions={suggestionsFor(candidate.value)}
          onSubmit={save}
        />
      ) : general.length ? null : (
        <p class="loading">Loading…</p>
      )}
    </section>
  );
}
