// /audit: who changed what, when, from where (newest first).
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { ERROR_RESPONSES } from '../schemas.js';

export async function auditRoutes(app: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  app.get<{ Querystring: { limit: number; action?: string; user?: string } }>('/audit', {
    config: { role: 'operator' },
    schema: {
      tags: ['audit'],
      summary: 'The audit trail: logins, config edits (detail = the diff, secrets masked), commits, user changes, bans',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 10000, default: 200 },
          action: { type: 'string', maxLength: 64, description: 'Only entries whose action starts with this (e.g. "candidate.", "login").' },
          user: { type: 'string', maxLength: 64 },
        },
      },
      response: {
        200: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'at', 'user', 'source', 'action', 'detail'],
            properties: {
              id: { type: 'integer' },
              at: { type: 'string', format: 'date-time' },
              user: { type: 'string' },
              source: { type: 'string' },
              action: { type: 'string' },
              detail: { type: 'string' },
            },
          },
        },
        ...ERROR_RESPONSES,
      },
    },
  }, async (req) => {
    const { limit, action, user } = req.query;
    if (!action && !user) return ctx.store.auditLog(limit);
    // Filters scan a bounded window of the newest entries.
    return ctx.store
      .auditLog(Math.max(limit * 20, 10000))
      .filter((e) => (!action || e.action.startsWith(action)) && (!user || e.user === user))
      .slice(0, limit);
  });
}
