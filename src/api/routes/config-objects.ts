// Config objects on the candidate: the collections (trunks, sip_domains,
// pbxs, routes: list, create, get, replace, delete by name), the sections
// (system, sip, tls, media, firewall, api, cdr: get, replace) and the sides
// (get, create or replace, delete by name). Each route's schema is the
// object's own schema from src/config/schema; refusals name the field both
// as a document path and as a path inside the object sent.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { restoreMaskedSecrets } from '../../config/canonical.js';
import type { ConfigDocument } from '../../config/document.js';
import type { ApiContext } from '../context.js';
import { actorOf } from '../auth/guard.js';
import { ApiError, notFound } from '../errors.js';
import {
  COLLECTIONS,
  ERROR_RESPONSES,
  SECTIONS,
  inputSchema,
  nameParams,
  outputSchema,
  sideSchema,
  type CollectionName,
  type SectionName,
} from '../schemas.js';
import { candidateChanged } from './candidate-events.js';

type Named = { name: string } & Record<string, unknown>;
type Params = { name: string };

function esc(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function items(doc: ConfigDocument, coll: CollectionName): Named[] {
  return doc[coll] as unknown as Named[];
}

export async function configObjectRoutes(app: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const { store } = ctx;

  // Replaces the candidate with `edit(candidate)`: validated, audited, or refused whole.
  const edit = (req: FastifyRequest, fn: (doc: ConfigDocument) => void): ConfigDocument => {
    const doc = store.candidate();
    fn(doc);
    const saved = store.setCandidate(doc, actorOf(req));
    candidateChanged(ctx);
    return saved;
  };

  for (const [coll, { schema, noun }] of Object.entries(COLLECTIONS) as [CollectionName, (typeof COLLECTIONS)[CollectionName]][]) {
    const itemOut = outputSchema(schema);
    const itemIn = inputSchema(schema);
    const tags = [`config: ${coll}`];
    const indexOf = (name: string): number => items(store.candidate(), coll).findIndex((x) => x.name === name);
    const find = (doc: ConfigDocument, name: string): Named => {
      const found = items(doc, coll).find((x) => x.name === name);
      if (!found) throw notFound(`${noun} "${name}"`);
      return found;
    };

    app.get(`/config/${coll}`, {
      config: { role: 'viewer' },
      schema: { tags, summary: `Every ${noun} of the candidate`, response: { 200: { type: 'array', items: itemOut }, ...ERROR_RESPONSES } },
    }, async () => items(store.candidate(), coll));

    app.post<{ Body: Named }>(`/config/${coll}`, {
      config: { role: 'operator', docPath: () => `/${coll}/${items(store.candidate(), coll).length}` },
      schema: { tags, summary: `Add a ${noun} to the candidate`, body: itemIn, response: { 201: itemOut, ...ERROR_RESPONSES } },
    }, async (req, reply) => {
      const body = req.body;
      const saved = edit(req, (doc) => {
        if (items(doc, coll).some((x) => x.name === body.name)) {
          throw new ApiError(409, 'ERR_EXISTS', `a ${noun} named "${body.name}" exists: choose another name or PUT /config/${coll}/${body.name}`);
        }
        items(doc, coll).push(body);
      });
      void reply.code(201).header('location', `/api/v1/config/${coll}/${encodeURIComponent(body.name)}`);
      return find(saved, body.name);
    });

    app.get<{ Params: Params }>(`/config/${coll}/:name`, {
      config: { role: 'viewer' },
      schema: { tags, summary: `One ${noun} of the candidate`, params: nameParams, response: { 200: itemOut, ...ERROR_RESPONSES } },
    }, async (req) => find(store.candidate(), req.params.name));

    app.put<{ Params: Params; Body: Named }>(`/config/${coll}/:name`, {
      config: {
        role: 'operator',
        docPath: (req) => {
          const i = indexOf((req.params as Params).name);
          return `/${coll}/${i < 0 ? items(store.candidate(), coll).length : i}`;
        },
      },
      schema: {
        tags,
        summary: `Replace a ${noun} (a new name in the body renames it; "********" in a secret keeps the stored one)`,
        params: nameParams,
        body: itemIn,
        response: { 200: itemOut, ...ERROR_RESPONSES },
      },
    }, async (req) => {
      const { name } = req.params;
      const body = req.body;
      const saved = edit(req, (doc) => {
        const list = items(doc, coll);
        const i = list.findIndex((x) => x.name === name);
        if (i < 0) throw notFound(`${noun} "${name}"`);
        if (body.name !== name && list.some((x) => x.name === body.name)) {
          throw new ApiError(409, 'ERR_EXISTS', `a ${noun} named "${body.name}" exists: choose another name`);
        }
        // Masked secrets keep the stored value, also across a rename.
        list[i] = restoreMaskedSecrets(body, list[i], schema) as Named;
      });
      return find(saved, body.name);
    });

    app.delete<{ Params: Params }>(`/config/${coll}/:name`, {
      config: { role: 'operator', docPath: (req) => `/${coll}/${indexOf((req.params as Params).name)}` },
      schema: { tags, summary: `Delete a ${noun} from the candidate`, params: nameParams, response: { 204: { type: 'null' }, ...ERROR_RESPONSES } },
    }, async (req, reply) => {
      const { name } = req.params;
      edit(req, (doc) => {
        const list = items(doc, coll);
        const i = list.findIndex((x) => x.name === name);
        if (i < 0) throw notFound(`${noun} "${name}"`);
        list.splice(i, 1);
      });
      return reply.code(204).send();
    });
  }

  for (const [section, schema] of Object.entries(SECTIONS) as [SectionName, (typeof SECTIONS)[SectionName]][]) {
    const tags = ['config: sections'];
    app.get(`/config/section/${section}`, {
      config: { role: 'viewer' },
      schema: { tags, summary: `The candidate's ${section} section`, response: { 200: outputSchema(schema), ...ERROR_RESPONSES } },
    }, async () => store.candidate()[section]);

    app.put<{ Body: Record<string, unknown> }>(`/config/section/${section}`, {
      config: { role: 'operator', docPath: () => `/${section}` },
      schema: { tags, summary: `Replace the candidate's ${section} section (fields left out take their defaults)`, body: inputSchema(schema), response: { 200: outputSchema(schema), ...ERROR_RESPONSES } },
    }, async (req) => {
      const saved = edit(req, (doc) => {
        (doc as unknown as Record<string, unknown>)[section] = req.body;
      });
      return saved[section];
    });
  }

  const sideOut = outputSchema(sideSchema);
  const sideTags = ['config: sides'];
  app.get('/config/sides', {
    config: { role: 'viewer' },
    schema: { tags: sideTags, summary: 'Every side of the candidate, by name', response: { 200: { type: 'object', additionalProperties: sideOut }, ...ERROR_RESPONSES } },
  }, async () => store.candidate().sides);

  app.get<{ Params: Params }>('/config/sides/:name', {
    config: { role: 'viewer' },
    schema: { tags: sideTags, summary: 'One side', params: nameParams, response: { 200: sideOut, ...ERROR_RESPONSES } },
  }, async (req) => {
    const side = store.candidate().sides[req.params.name];
    if (!side) throw notFound(`side "${req.params.name}"`);
    return side;
  });

  app.put<{ Params: Params; Body: ConfigDocument['sides'][string] }>('/config/sides/:name', {
    config: { role: 'operator', docPath: (req) => `/sides/${esc((req.params as Params).name)}` },
    schema: { tags: sideTags, summary: 'Add or replace a side', params: nameParams, body: inputSchema(sideSchema), response: { 200: sideOut, 201: sideOut, ...ERROR_RESPONSES } },
  }, async (req, reply) => {
    const { name } = req.params;
    let created = false;
    const saved = edit(req, (doc) => {
      created = !(name in doc.sides);
      doc.sides[name] = req.body;
    });
    if (created) void reply.code(201).header('location', `/api/v1/config/sides/${encodeURIComponent(name)}`);
    return saved.sides[name];
  });

  app.delete<{ Params: Params }>('/config/sides/:name', {
    config: { role: 'operator', docPath: (req) => `/sides/${esc((req.params as Params).name)}` },
    schema: { tags: sideTags, summary: 'Delete a side (refused while anything uses it)', params: nameParams, response: { 204: { type: 'null' }, ...ERROR_RESPONSES } },
  }, async (req, reply) => {
    const { name } = req.params;
    edit(req, (doc) => {
      if (!(name in doc.sides)) throw notFound(`side "${name}"`);
      delete doc.sides[name];
    });
    return reply.code(204).send();
  });
}
