// Call detail records: search by number, time range and result; one record;
// per-bucket counts and quality for the dashboard's charts.
import type { FastifyInstance } from 'fastify';
import { CALL_RESULTS, type CallResult } from '../../cdr/record.js';
import type { StoredCallRecord } from '../../cdr/store.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { ERROR_RESPONSES, errorSchema } from '../schemas.js';

const legSummary = {
  anyOf: [
    { type: 'null' },
    {
      type: 'object',
      properties: {
        rxPackets: { type: 'integer' },
        txPackets: { type: 'integer' },
        expected: { type: 'integer' },
        lost: { type: 'integer' },
        lossPct: { type: 'number' },
        jitterMs: { type: 'number' },
        rttMs: { type: ['number', 'null'] },
        mos: { type: ['number', 'null'] },
        peer: { type: ['string', 'null'] },
        latched: { type: 'boolean' },
        srtpAuthFailures: { type: 'integer' },
      },
    },
  ],
} as const;

export const cdrSchema = {
  type: 'object',
  required: ['id', 'callId', 'startedAt', 'endedAt', 'caller', 'callee', 'result', 'status', 'reason', 'media'],
  properties: {
    id: { type: 'integer' },
    callId: { type: 'string' },
    startedAt: { type: 'string', format: 'date-time' },
    answeredAt: { type: ['string', 'null'], format: 'date-time' },
    endedAt: { type: 'string', format: 'date-time' },
    durationS: { type: 'number', description: 'Answered to end (0 when not answered).' },
    caller: { type: 'string' },
    callee: { type: 'string' },
    fromSide: { type: 'string' },
    sourceIp: { type: 'string' },
    route: { type: 'string' },
    targetKind: { type: 'string', enum: ['trunk', 'pbx'] },
    targetName: { type: 'string' },
    result: { type: 'string', enum: [...CALL_RESULTS] },
    status: { type: 'integer', description: 'The final SIP status the caller got; 0 = none.' },
    reason: { type: 'string', description: 'Why the call ended.' },
    mos: { type: ['number', 'null'], description: 'The worst leg’s MOS estimate.' },
    media: {
      type: 'array',
      items: { type: 'object', properties: { index: { type: 'integer' }, codec: { type: 'string' }, a: legSummary, b: legSummary } },
    },
  },
} as const;

// Times in the API are ISO-8601 or milliseconds since the epoch.
const timeParam = { type: 'string', maxLength: 40, description: 'ISO-8601 time or milliseconds since the epoch.' } as const;

function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new ApiError(400, 'ERR_VALIDATION', 'the request query string was refused', [{ path: `/${field}`, message: 'must be an ISO-8601 time or milliseconds since the epoch' }]);
  return ms;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function view(r: StoredCallRecord) {
  return {
    ...r,
    startedAt: iso(r.startedAt),
    answeredAt: iso(r.answeredAt),
    endedAt: iso(r.endedAt),
    durationS: r.answeredAt === null ? 0 : Math.round((r.endedAt - r.answeredAt) / 100) / 10,
  };
}

interface SearchQuery {
  number?: string;
  from?: string;
  to?: string;
  result?: CallResult;
  limit: number;
  before?: number;
}

export async function cdrRoutes(app: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const store = () => {
    if (!ctx.cdrs) throw new ApiError(503, 'ERR_UNAVAILABLE', 'call records are not kept in this process (cdr.enabled or the daemon wiring)');
    return ctx.cdrs;
  };

  app.get<{ Querystring: SearchQuery }>('/cdrs', {
    config: { role: 'viewer' },
    schema: {
      tags: ['call records'],
      summary: 'Call records, newest first: by number (caller or callee contains it), start time and result',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          number: { type: 'string', maxLength: 64 },
          from: timeParam,
          to: timeParam,
          result: { type: 'string', enum: [...CALL_RESULTS] },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          before: { type: 'integer', minimum: 1, description: 'Paging: records with a smaller id (the next page starts before the last id seen).' },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['records'],
          properties: { records: { type: 'array', items: cdrSchema }, next: { type: ['integer', 'null'], description: 'before= for the next page; null at the end.' } },
        },
        ...ERROR_RESPONSES,
        503: errorSchema,
      },
    },
  }, async (req) => {
    const q = req.query;
    const from = parseTime(q.from, 'from');
    const to = parseTime(q.to, 'to');
    const records = store().search({
      ...(q.number ? { number: q.number } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(q.result ? { result: q.result } : {}),
      ...(q.before !== undefined ? { before: q.before } : {}),
      limit: q.limit,
    });
    const last = records.at(-1);
    return { records: records.map(view), next: records.length === q.limit && last ? last.id : null };
  });

  app.get<{ Querystring: { from?: string; to?: string; bucket_s: number } }>('/cdrs/summary', {
    config: { role: 'viewer' },
    schema: {
      tags: ['call records'],
      summary: 'Calls, answered, failed and MOS per time bucket (default: the last 6 hours by 5 minutes)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { from: timeParam, to: timeParam, bucket_s: { type: 'integer', minimum: 10, maximum: 86400, default: 300 } },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            bucketS: { type: 'integer' },
            buckets: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  start: { type: 'string', format: 'date-time' },
                  calls: { type: 'integer' },
                  answered: { type: 'integer' },
                  failed: { type: 'integer' },
                  avgMos: { type: ['number', 'null'] },
                  minMos: { type: ['number', 'null'] },
                },
              },
            },
          },
        },
        ...ERROR_RESPONSES,
        503: errorSchema,
      },
    },
  }, async (req) => {
    const to = parseTime(req.query.to, 'to') ?? ctx.clock();
    const from = parseTime(req.query.from, 'from') ?? to - 6 * 3600_000;
    const bucketMs = req.query.bucket_s * 1000;
    if ((to - from) / bucketMs > 10_000) {
      throw new ApiError(400, 'ERR_VALIDATION', 'too many buckets', [{ path: '/bucket_s', message: 'gives more than 10000 buckets for this range: make it larger' }]);
    }
    const buckets = store().summary(from, to, bucketMs).map((b) => ({ ...b, start: new Date(b.start).toISOString() }));
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucketS: req.query.bucket_s, buckets };
  });

  app.get<{ Params: { id: number } }>('/cdrs/:id', {
    config: { role: 'viewer' },
    schema: {
      tags: ['call records'],
      summary: 'One call record',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
      response: { 200: cdrSchema, ...ERROR_RESPONSES, 503: errorSchema },
    },
  }, async (req) => {
    const r = store().get(req.params.id);
    if (!r) throw new ApiError(404, 'ERR_NOT_FOUND', `call record ${req.params.id} does not exist (or was deleted by retention)`);
    return view(r);
  });
}
