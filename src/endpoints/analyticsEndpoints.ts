import type { Endpoint } from 'payload'

import type { ResolvedOptions } from '../options.js'

import { campaignAnalytics } from '../analytics/campaignAnalytics.js'
import { globalAnalytics } from '../analytics/globalAnalytics.js'
import { relationId } from '../collections/relationId.js'
import { audienceSummary } from '../sending/audienceSummary.js'
import { hasAccess } from './checkAccess.js'

/** GET /api/<campaigns>/:id/analytics: the campaign's live figures. */
export const campaignAnalyticsEndpoint = (options: ResolvedOptions): Endpoint => ({
  handler: async (req) => {
    const id = relationId(req.routeParams?.id) ?? ''
    if (!req.user) {
      return Response.json({ error: 'You must be logged in.' }, { status: 401 })
    }
    if (!(await hasAccess(options.access.read, req, { id, collection: options.slugs.campaigns }))) {
      return Response.json({ error: 'You are not allowed to read campaigns.' }, { status: 403 })
    }
    try {
      const analytics = await campaignAnalytics(req.payload, id)
      const canRun = await hasAccess(options.access.run, req, {
        id,
        collection: options.slugs.campaigns,
      })
      return Response.json({ ...analytics, canRun })
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
    if (!req.user) {
      return Response.json({ error: 'You must be logged in.' }, { status: 401 })
    }
    if (!(await hasAccess(options.access.run, req, { id, collection: options.slugs.campaigns }))) {
      return Response.json({ error: 'You are not allowed to run campaigns.' }, { status: 403 })
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
    if (!req.user) {
      return Response.json({ error: 'You must be logged in.' }, { status: 401 })
    }
    if (!(await hasAccess(options.access.read, req))) {
      return Response.json({ error: 'You are not allowed to read campaigns.' }, { status: 403 })
    }
    const period = req.searchParams.get('period') === 'month' ? 'month' : 'day'
    return Response.json(await globalAnalytics(req.payload, { period }))
  },
  method: 'get',
  path: '/whatsapp/analytics',
})
