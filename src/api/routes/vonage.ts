// Vonage helpers over src/trunks: the text to paste into the Vonage
// dashboard for a DID route (V-IN-1, V-IN-3..5) and the PBX-side config
// snippets pointed at the SBC (V-IN-8). A snippet never carries the PBX's
// REGISTER password (secrets are write-only): it has a placeholder.
import type { FastifyInstance } from 'fastify';
import type { Layer } from '../../config/document.js';
import { DashboardUriError, dashboardUriForRoute, literalDid } from '../../trunks/dashboard-uri.js';
import { PBX_SNIPPET_KINDS, SnippetError, pbxSnippet, type PbxSnippetKind } from '../../trunks/pbx-snippets/index.js';
import type { ApiContext } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { ERROR_RESPONSES } from '../schemas.js';

interface UriQuery {
  did_route: string;
  did?: string;
  timeout_ms?: number;
  legacy_sips?: boolean;
  layer: Layer;
}

export async function vonageRoutes(app: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const docOf = (layer: Layer) => (layer === 'running' ? ctx.store.running() : ctx.store.candidate());

  app.get<{ Querystring: UriQuery }>('/vonage/dashboard-uri', {
    config: { role: 'viewer' },
    schema: {
      tags: ['vonage'],
      summary: 'The forward-to text for the Vonage dashboard for a DID route (V-IN-1, V-IN-3..5)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        required: ['did_route'],
        properties: {
          did_route: { type: 'string', maxLength: 64, description: 'A route (from the WAN side) whose ruri_user names the DID.' },
          did: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'The number, when the route matches a pattern.' },
          timeout_ms: { type: 'integer', minimum: 2000, maximum: 20000, description: ';timeout= on each URI (default 5000, V-IN-3).' },
          legacy_sips: { type: 'boolean', description: 'sips: URIs instead of ;transport=tls (older Vonage docs).' },
          layer: { type: 'string', enum: ['candidate', 'running'], default: 'candidate' },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['route', 'did', 'uris', 'value', 'transport', 'notes'],
          properties: {
            route: { type: 'string' },
            did: { type: 'string' },
            uris: { type: 'array', items: { type: 'string' } },
            value: { type: 'string', description: 'Paste this (comma-separated: Vonage tries them in order).' },
            transport: { type: 'string', enum: ['udp', 'tcp', 'tls'] },
            notes: { type: 'array', items: { type: 'string' }, description: 'What the admin should know (private address, SRTP without TLS …).' },
          },
        },
        ...ERROR_RESPONSES,
      },
    },
  }, async (req) => {
    const q = req.query;
    const doc = docOf(q.layer);
    const route = doc.routes.find((r) => r.name === q.did_route);
    if (!route) throw notFound(`route "${q.did_route}"`);
    if (q.did === undefined && literalDid(route.match.ruri_user) === undefined) {
      throw new ApiError(
        400,
        'ERR_VALIDATION',
        `route "${route.name}" matches ${route.match.ruri_user ? `the pattern ${route.match.ruri_user}` : 'any number'}, not one DID: give the number as did=`,
        [{ path: '/did', message: 'is required for this route' }],
      );
    }
    try {
      const uri = dashboardUriForRoute(doc, route.name, q.did, {
        ...(q.timeout_ms !== undefined ? { timeoutMs: q.timeout_ms } : {}),
        ...(q.legacy_sips !== undefined ? { legacySips: q.legacy_sips } : {}),
      });
      return { route: route.name, ...uri };
    } catch (err) {
      if (err instanceof DashboardUriError) throw new ApiError(400, 'ERR_VALIDATION', err.message);
      throw err;
    }
  });

  app.get<{ Params: { kind: PbxSnippetKind }; Querystring: { pbx?: string; layer: Layer; format: 'text' | 'json' } }>('/pbx-snippets/:kind', {
    config: { role: 'viewer' },
    schema: {
      tags: ['vonage'],
      summary: 'PBX-side config pointed at the SBC (V-IN-8): a file to download, or {kind, pbx, files, text}',
      params: { type: 'object', required: ['kind'], properties: { kind: { type: 'string', enum: [...PBX_SNIPPET_KINDS] } } },
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          pbx: { type: 'string', maxLength: 64, description: 'Which PBX (default: the first).' },
          layer: { type: 'string', enum: ['candidate', 'running'], default: 'running' },
          format: { type: 'string', enum: ['text', 'json'], default: 'text' },
        },
      },
      response: { 200: {}, ...ERROR_RESPONSES },
    },
  }, async (req, reply) => {
    const { kind } = req.params;
    const { pbx, layer, format } = req.query;
    const doc = docOf(layer);
    if (pbx !== undefined && !doc.pbxs.some((p) => p.name === pbx)) throw notFound(`PBX "${pbx}"`);
    if (doc.pbxs.length === 0) throw new ApiError(409, 'ERR_NO_PBX', 'the config has no PBX: add one first');
    let snippet;
    try {
      snippet = pbxSnippet(doc, kind, pbx);
    } catch (err) {
      if (err instanceof SnippetError) throw new ApiError(400, 'ERR_VALIDATION', err.message);
      throw err;
    }
    if (format === 'json') return snippet;
    const single = snippet.files.length === 1 ? snippet.files[0]!.path : `${kind}.txt`;
    void reply.type('text/plain; charset=utf-8');
    void reply.header('content-disposition', `attachment; filename="edgesbc-${snippet.pbx}-${single}"`);
    return reply.serializer((x: unknown) => String(x)).send(snippet.text);
  });
}
