/**
 * Settings > Security: the company's two-factor mode and session
 * lifetimes. Two gates on every route: a session, then the administrator
 * role, checked before the body or query is even read.
 */
import type { FastifyInstance } from 'fastify';
import {
  securityImpactQuery,
  securitySettingsBody,
} from '../../../api/schemas.ts';
import type { DomainContext } from '../../auth/context.ts';
import {
  changeSecuritySettings,
  getSecuritySettings,
  twoFactorImpact,
} from '../../policy/settings.ts';
import { requestMeta, requireAdministrator } from '../guards.ts';
import { parseInput } from '../validate.ts';

export function securitySettingsRoutes(
  app: FastifyInstance,
  ctx: DomainContext,
): void {
  app.get('/api/settings/security', async (request) => {
    await requireAdministrator(ctx, request);
    return getSecuritySettings(ctx);
  });

  app.put('/api/settings/security', async (request) => {
    const { user: admin } = await requireAdministrator(ctx, request);
    const body = parseInput(securitySettingsBody, request.body);
    return changeSecuritySettings(ctx, admin, body, requestMeta(request));
  });

  app.get('/api/settings/security/impact', async (request) => {
    await requireAdministrator(ctx, request);
    const query = parseInput(securityImpactQuery, request.query);
    return twoFactorImpact(ctx, query.twoFactor);
  });
}
