import type { Endpoint } from 'payload'

import type { ResolvedOptions } from '../options.js'

import { campaignAnalytics } from '../analytics/campaignAnalytics.js'
import { globalAnalytics } from '../analytics/globalAnalytics.js'
import { audienceSummary } from '../campaigns/audienceSummary.js'
import { allowedActions } from '../campaigns/transitions.js'
import { relationId } from '../collections/relationId.js'
import { hasAccess, refuseUnlessAllowed } from './checkAccess.js'

/**
 * GET /api/<campaigns>/:id/analytics: the campaign's live figures, and the actions this user may
 * take now (from the transition table), which the admin controls show as buttons.
 */
export const campaignAnalyticsEndpoint = (options: ResolvedOptions): Endpoint => ({
  handler: async (req) => {
    const id = relationId(req.routeParams?.id) ?? ''
    const refusal = await refuseUnlessAllowed(req, options.access.read, 'read campaigns', {
      id,
      collection: options.slugs.campaigns,
    })
    if (refusal) {
      return refusal
    }
    try {
      const analytics = await campaignAnalytics(req.payload, id)
      const canRun = await hasAccess(options.access.run, req, {
        id,
        collection: options.slugs.campaigns,
      })
      const actions = allowedActions(
        {
          counts: analytics.counts,
          scheduledInFuture: Boolean(
            analytics.scheduledAt && new Date(analytics.scheduledAt).getTime() > Date.now(),
          ),
          status: analytics.status,
        },
        canRun,
      )
      return Response.json({ ...analytics, actions, canRun })
    } catch {
      return Response.json({ error: `Campaign ${id} not found.` }, { status: 404 })
    }
  },
  method: 'get',
  path: '/:id/analytics',
})

/** GET /api/<campaigns>/:id/audience: size, template and blocking problems, for the Run confirmation. */
export const audienceSummaryEndpoint = (options: ResolvedOptions): Endpoint => ({
  handler: async (req) => {
    const id = relationId(req.routeParams?.id) ?? ''
    const refusal = await refuseUnlessAllowed(req, options.access.run, 'run campaigns', {
      id,
      collection: options.slugs.campaigns,
    })
    if (refusal) {
      return refusal
    }
    try {
      return Response.json(await audienceSummary(req.payload, id))
    } catch {
      return Response.json({ error: `Campaign ${id} not found.` }, { status: 404 })
    }
  },
  method: 'get',
  path: '/:id/audience',
})

/** GET /api/whatsapp/analytics?period=day|month: totals over completed campaigns. */
export const globalAnalyticsEndpoint = (options: ResolvedOptions): Endpoint => ({
  handler: async (req) => {
    const refusal = await refuseUnlessAllowed(req, options.access.read, 'read campaigns')
    if (refusal) {
      return refusal
    }
    const period = req.searchParams.get('period') === 'month' ? 'month' : 'day'
    return Response.json(await globalAnalytics(req.payload, { period }))
  },
  method: 'get',
  path: '/whatsapp/analytics',
})
