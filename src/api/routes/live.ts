// Live state: calls in progress (with per-leg media statistics), trunk
// endpoint health, firewall bans, system health.
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { actorOf } from '../auth/guard.js';
import { ApiError } from '../errors.js';
import { ERROR_RESPONSES, errorSchema } from '../schemas.js';

const legStatsSchema = {
  anyOf: [
    { type: 'null' },
    {
      type: 'object',
      description: 'One leg of a relayed stream (src/media/media-engine.ts LegStats).',
      additionalProperties: true,
      properties: {
        rxPackets: { type: 'integer' },
        txPackets: { type: 'integer' },
        expected: { type: 'integer' },
        lost: { type: 'integer' },
        jitterMs: { type: 'number' },
        rttMs: { type: ['number', 'null'] },
        peer: { anyOf: [{ type: 'null' }, { type: 'object', properties: { ip: { type: 'string' }, port: { type: 'integer' } } }] },
        latched: { type: 'boolean' },
      },
    },
  ],
} as const;

export const callSchema = {
  type: 'object',
  required: ['id', 'state', 'startedAt', 'target', 'callee', 'caller', 'media'],
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: ['setup', 'early', 'established', 'ending', 'ended'] },
    startedAt: { type: 'string', format: 'date-time' },
    target: { type: 'object', properties: { kind: { type: 'string', enum: ['trunk', 'pbx'] }, name: { type: 'string' } } },
    callee: { type: 'string' },
    caller: { type: 'string' },
    media: {
      type: 'array',
      description: 'One entry per relayed m= line: codec, each leg’s statistics and its MOS estimate.',
      items: {
        type: 'object',
        additionalProperties: true,
        properties: {
          index: { type: 'integer' },
          codec: { type: 'string' },
          a: legStatsSchema,
          b: legStatsSchema,
          mos: { anyOf: [{ type: 'null' }, { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } }] },
        },
      },
    },
  },
} as const;

const banSchema = {
  type: 'object',
  required: ['ip', 'reason', 'detail', 'since', 'expiresInS'],
  properties: {
    ip: { type: 'string' },
    reason: { type: 'string' },
    detail: { type: 'string' },
    since: { type: 'string', format: 'date-time' },
    expiresInS: { type: 'integer' },
  },
} as const;

const unavailable = (what: string): ApiError => new ApiError(503, 'ERR_UNAVAILABLE', `${what} is not running in this process`);

export async function liveRoutes(app: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  app.get('/calls', {
    config: { role: 'viewer' },
    schema: {
      tags: ['live'],
      summary: 'Calls in progress with per-leg media statistics',
      response: {
        200: { type: 'object', required: ['count', 'calls'], properties: { count: { type: 'integer' }, calls: { type: 'array', items: callSchema } } },
        ...ERROR_RESPONSES,
        503: errorSchema,
      },
    },
  }, async () => {
    if (!ctx.calls) throw unavailable('call control');
    const calls = await ctx.calls.snapshot();
    return { count: calls.length, calls };
  });

  app.get('/trunks/health', {
    config: { role: 'viewer' },
    schema: {
      tags: ['live'],
      summary: 'Health of every checked trunk endpoint (OPTIONS, V-OUT-8)',
      response: {
        200: {
          type: 'array',
          items: {
            type: 'object',
            required: ['trunk', 'endpoint', 'state'],
            properties: {
              trunk: { type: 'string' },
              endpoint: { type: 'string' },
              state: { type: 'string' },
              rttMs: { type: ['number', 'null'] },
              lastChange: { type: ['string', 'null'], format: 'date-time' },
              lastError: { type: 'string' },
            },
          },
        },
        ...ERROR_RESPONSES,
        501: errorSchema,
      },
    },
  }, async () => {
    if (!ctx.trunkHealth) {
      throw new ApiError(501, 'ERR_NOT_IMPLEMENTED', 'trunk health is not available: no trunk health monitor (OPTIONS, V-OUT-8) runs in this process');
    }
    return ctx.trunkHealth.trunkHealth().map((r) => ({ ...r, lastChange: r.lastChange === null ? null : new Date(r.lastChange).toISOString() }));
  });

  const bansOf = () => {
    if (!ctx.firewall) throw unavailable('the firewall');
    return ctx.firewall;
  };

  app.get('/bans', {
    config: { role: 'viewer' },
    schema: {
      tags: ['live'],
      summary: 'Sources the firewall bans now',
      response: {
        200: { type: 'object', required: ['enabled', 'bans'], properties: { enabled: { type: 'boolean' }, bans: { type: 'array', items: banSchema } } },
        ...ERROR_RESPONSES,
        503: errorSchema,
      },
    },
  }, async () => {
    const fw = bansOf();
    return { enabled: fw.enabled, bans: fw.listBans() };
  });

  app.delete<{ Params: { ip: string } }>('/bans/:ip', {
    config: { role: 'operator' },
    schema: {
      tags: ['live'],
      summary: 'Lift one ban',
      params: { type: 'object', required: ['ip'], properties: { ip: { type: 'string', maxLength: 64 } } },
      response: { 204: { type: 'null' }, ...ERROR_RESPONSES, 503: errorSchema },
    },
  }, async (req, reply) => {
    const fw = bansOf();
    if (!fw.enabled) throw new ApiError(409, 'ERR_FIREWALL_DISABLED', 'the firewall is off (firewall.enabled: false), so nothing is banned');
    const { ip } = req.params;
    if (!fw.listBans().some((b) => b.ip === ip) || !fw.unban(ip)) throw new ApiError(404, 'ERR_NOT_FOUND', `${ip} is not banned`);
    ctx.store.audit({ ...actorOf(req), action: 'ban.remove', detail: ip });
    ctx.events.emit('bans', { bans: fw.listBans() });
    return reply.code(204).send();
  });

  app.delete('/bans', {
    config: { role: 'operator' },
    schema: {
      tags: ['live'],
      summary: 'Lift every ban',
      response: { 200: { type: 'object', required: ['removed'], properties: { removed: { type: 'integer' } } }, ...ERROR_RESPONSES, 503: errorSchema },
    },
  }, async (req) => {
    const fw = bansOf();
    if (!fw.enabled) throw new ApiError(409, 'ERR_FIREWALL_DISABLED', 'the firewall is off (firewall.enabled: false), so nothing is banned');
    const removed = fw.clearBans();
    ctx.store.audit({ ...actorOf(req), action: 'ban.clear', detail: `${removed} removed` });
    ctx.events.emit('bans', { bans: fw.listBans() });
    return { removed };
  });

  app.get('/system', {
    config: { role: 'viewer' },
    schema: {
      tags: ['live'],
      summary: 'CPU, memory, disks, interfaces, temperatures (null where no sensor reads)',
      response: { 200: { type: 'object', additionalProperties: true }, ...ERROR_RESPONSES, 503: errorSchema },
    },
  }, async () => {
    if (!ctx.system) throw unavailable('system monitoring');
    const info = await ctx.system();
    return { ...info, calls: ctx.calls?.callsInProgress ?? null };
  });
}
