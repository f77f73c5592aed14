// /config: the whole candidate and running documents, diff, commit (also
// "commit confirmed"), confirm, rollback, history, discard, export and
// import as YAML/JSON text; /schema.
// Every write goes through the store, which validates, audits (who, when,
// what diff) and keeps the old state on any refusal.
import type { FastifyInstance } from 'fastify';
import type { ConfigDocument, Layer, TextFormat } from '../../config/document.js';
import type { ApiContext } from '../context.js';
import { actorOf } from '../auth/guard.js';
import { ApiError } from '../errors.js';
import { ERROR_RESPONSES, changeSchema, commitInfoSchema, documentSchema, inputSchema, okSchema, outputSchema } from '../schemas.js';
import { candidateChanged } from './candidate-events.js';

const docOut = outputSchema(documentSchema);
const docIn = inputSchema(documentSchema);

const layerQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    layer: { type: 'string', enum: ['candidate', 'running'], default: 'running' },
    format: { type: 'string', enum: ['yaml', 'json'], default: 'yaml' },
  },
} as const;

export async function configRoutes(app: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const { store } = ctx;

  app.get('/schema', {
    config: { role: 'viewer' },
    schema: { tags: ['config'], summary: 'The config document JSON Schema (secrets are writeOnly)', response: { 200: { type: 'object', additionalProperties: true }, ...ERROR_RESPONSES } },
  }, async () => documentSchema);

  app.get('/config/candidate', {
    config: { role: 'viewer' },
    schema: { tags: ['config'], summary: 'The candidate document (secrets masked)', response: { 200: docOut, ...ERROR_RESPONSES } },
  }, async () => store.candidate());

  app.get('/config/running', {
    config: { role: 'viewer' },
    schema: { tags: ['config'], summary: 'The running document (secrets masked)', response: { 200: docOut, ...ERROR_RESPONSES } },
  }, async () => store.running());

  app.put<{ Body: ConfigDocument }>('/config/candidate', {
    config: { role: 'operator', docPath: () => '' },
    schema: {
      tags: ['config'],
      summary: 'Replace the whole candidate; "********" in a secret keeps the stored one',
      body: docIn,
      response: { 200: docOut, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const doc = store.setCandidate(req.body, actorOf(req));
    candidateChanged(ctx);
    return doc;
  });

  app.get<{ Querystring: { from?: number; to?: number } }>('/config/diff', {
    config: { role: 'viewer' },
    schema: {
      tags: ['config'],
      summary: 'Changes from running to candidate, or between two commits (from, to)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { from: { type: 'integer', minimum: 1 }, to: { type: 'integer', minimum: 1 } },
      },
      response: { 200: { type: 'object', required: ['changes'], properties: { changes: { type: 'array', items: changeSchema } } }, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const { from, to } = req.query;
    if (to !== undefined && from === undefined) {
      throw new ApiError(400, 'ERR_VALIDATION', 'give from with to', [{ path: '/from', message: 'is required with to' }]);
    }
    return { changes: store.diff(from, to) };
  });

  app.get('/config/status', {
    config: { role: 'viewer' },
    schema: {
      tags: ['config'],
      summary: 'Pending changes and a commit waiting for confirmation',
      response: {
        200: {
          type: 'object',
          required: ['changes', 'running', 'pendingConfirm'],
          properties: {
            changes: { type: 'integer', description: 'How many changes the candidate holds over running.' },
            running: commitInfoSchema,
            pendingConfirm: { anyOf: [commitInfoSchema, { type: 'null' }] },
          },
        },
        ...ERROR_RESPONSES,
      },
    },
  }, async () => ({
    changes: store.diff().length,
    running: store.history(1)[0],
    pendingConfirm: store.pendingConfirm() ?? null,
  }));

  app.post<{ Body: { comment?: string; confirmMinutes?: number } }>('/config/commit', {
    config: { role: 'operator' },
    schema: {
      tags: ['config'],
      summary: 'Make the candidate running; with confirmMinutes it rolls back by itself unless confirmed in time',
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          comment: { type: 'string', maxLength: 1024 },
          confirmMinutes: { type: 'integer', minimum: 1, maximum: 1440, description: 'commit confirmed: minutes until the automatic rollback.' },
        },
      },
      response: { 200: commitInfoSchema, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const body = req.body ?? {};
    return store.commit({
      ...actorOf(req),
      ...(body.comment !== undefined ? { comment: body.comment } : {}),
      ...(body.confirmMinutes !== undefined ? { confirmMinutes: body.confirmMinutes } : {}),
    });
  });

  app.post('/config/confirm', {
    config: { role: 'operator' },
    schema: { tags: ['config'], summary: 'Confirm the commit waiting for confirmation', response: { 200: commitInfoSchema, ...ERROR_RESPONSES } },
  }, async (req) => store.confirm(actorOf(req)));

  app.post<{ Body: { n: number; comment?: string } }>('/config/rollback', {
    config: { role: 'operator' },
    schema: {
      tags: ['config'],
      summary: 'Make commit n (an id from /config/history) running again, as a new commit',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['n'],
        properties: { n: { type: 'integer', minimum: 1, description: 'The commit id to restore.' }, comment: { type: 'string', maxLength: 1024 } },
      },
      response: { 200: commitInfoSchema, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const c = store.rollback(req.body.n, { ...actorOf(req), ...(req.body.comment !== undefined ? { comment: req.body.comment } : {}) });
    candidateChanged(ctx);
    return c;
  });

  app.post('/config/discard', {
    config: { role: 'operator' },
    schema: { tags: ['config'], summary: 'Throw the candidate away: it becomes the running config again', response: { 200: okSchema, ...ERROR_RESPONSES } },
  }, async (req) => {
    store.discardCandidate(actorOf(req));
    candidateChanged(ctx);
    return { ok: true };
  });

  app.get<{ Querystring: { limit: number } }>('/config/history', {
    config: { role: 'viewer' },
    schema: {
      tags: ['config'],
      summary: 'Commits, newest first',
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
      response: { 200: { type: 'array', items: commitInfoSchema }, ...ERROR_RESPONSES },
    },
  }, async (req) => store.history(req.query.limit));

  app.get<{ Querystring: { layer: Layer; format: TextFormat } }>('/config/export', {
    config: { role: 'viewer' },
    schema: {
      tags: ['config'],
      summary: 'The whole document as YAML or JSON text, secrets masked (an import keeps masked secrets)',
      querystring: layerQuery,
      response: { 200: { type: 'string' }, ...ERROR_RESPONSES },
    },
  }, async (req, reply) => {
    const { layer, format } = req.query;
    void reply.type(format === 'json' ? 'application/json; charset=utf-8' : 'application/yaml; charset=utf-8');
    void reply.header('content-disposition', `attachment; filename="edgesbc-${layer}.${format}"`);
    return reply.serializer((x: unknown) => String(x)).send(store.exportText(format, layer));
  });

  await app.register(importRoute, { ctx });
}

// The import takes the document as text (YAML, or JSON), like a file saved
// from /config/export, so its own scope reads JSON bodies as text too: both
// formats go through the store's parser and give the same refusals (a syntax
// error, or every field path with its reason).
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

async function importRoute(app: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const asText = (_req: unknown, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => done(null, String(body));
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', ...YAML_TYPES], { parseAs: 'string' }, asText);
  const text = (what: string) => ({ schema: { type: 'string', maxLength: 1024 * 1024, description: what } });
  app.post<{ Body: string }>('/config/import', {
    config: { role: 'operator', docPath: () => '' },
    schema: {
      tags: ['config'],
      summary: 'Replace the whole candidate with a YAML or JSON document (as from /config/export); "********" in a secret keeps the stored one',
      body: {
        content: {
          'application/yaml': text('The config document as YAML.'),
          'application/json': text('The config document as JSON.'),
        },
      },
      response: { 200: docOut, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const format: TextFormat = type === 'application/json' ? 'json' : 'yaml';
    const doc = ctx.store.importText(req.body, format, actorOf(req));
    candidateChanged(ctx);
    return doc;
  });
}
