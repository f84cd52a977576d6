import { APIError, type Endpoint, type Payload, type PayloadRequest } from 'payload'

import type { ResolvedOptions } from '../options.js'

import {
  CampaignActionError,
  cancelCampaign,
  pauseCampaign,
  resumeCampaign,
  retryCampaign,
  runCampaign,
} from '../campaigns/actions.js'
import { createFollowUp } from '../campaigns/followUp.js'
import { relationId } from '../collections/relationId.js'
import { refuseUnlessAllowed } from './checkAccess.js'

type Action = (payload: Payload, id: string, req: PayloadRequest) => Promise<object>

const readJson = async (req: PayloadRequest): Promise<Record<string, unknown>> => {
  try {
    const body = req.json ? ((await req.json()) as unknown) : undefined
    return body && typeof body === 'object' ? (body as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

const actions: Record<string, Action> = {
  cancel: (payload, id) => cancelCampaign(payload, id),
  // A draft retargeting campaign to this one's recipients with an outcome: { outcome, button? }.
  'follow-up': async (_payload, id, req) => createFollowUp(req, id, await readJson(req)),
  pause: (payload, id) => pauseCampaign(payload, id),
  resume: async (payload, id, req) =>
    resumeCampaign(payload, id, { force: (await readJson(req)).force === true }),
  retry: async (payload, id, req) =>
    retryCampaign(payload, id, { unknown: (await readJson(req)).unknown === true }),
  run: async (payload, id, req) =>
    runCampaign(payload, id, { force: (await readJson(req)).force === true }),
}

/**
 * POST /api/<campaigns>/:id/{run,pause,resume,cancel,retry,follow-up}, guarded by the `run`
 * access rule (follow-up also by the collection's create access).
 */
export const campaignEndpoints = (options: ResolvedOptions): Endpoint[] =>
  Object.entries(actions).map(([name, action]) => ({
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
        return Response.json(await action(req.payload, id, req))
      } catch (error) {
        if (
          error instanceof CampaignActionError ||
          (error instanceof APIError && error.status < 500)
        ) {
          return Response.json({ error: error.message }, { status: error.status })
        }
        req.payload.logger.error({ err: error }, `whatsapp campaign ${name} failed`)
        return Response.json({ error: `Could not ${name} the campaign.` }, { status: 500 })
      }
    },
    method: 'post',
    path: `/:id/${name}`,
  }))
