import type { Endpoint } from 'payload'

import type { ResolvedOptions } from '../options.js'

import { audiencePreview } from '../audience/registry.js'
import { relationId } from '../collections/relationId.js'
import { refuseUnlessAllowed } from './checkAccess.js'

/**
 * POST /api/<campaigns>/audience-preview { audienceType, account, csvFile, campaign,
 * retargetCampaign, retargetOutcome, retargetButton }: the
 * fields the audience offers to mappings, its first row (each mapping's example value), and the
 * CSV's columns, size and first rows, before saving.
 */
export const audiencePreviewEndpoint = (options: ResolvedOptions): Endpoint => ({
  handler: async (req) => {
    const refusal = await refuseUnlessAllowed(req, options.access.read, 'read campaigns')
    if (refusal) {
      return refusal
    }
    const body = (req.json ? await req.json().catch(() => ({})) : {}) as Record<string, unknown>
    const audienceType = typeof body.audienceType === 'string' ? body.audienceType : 'contacts'
    const accountId = relationId(body.account)
    const csvFile = relationId(body.csvFile)
    return Response.json(
      await audiencePreview(options, audienceType, {
        accountId,
        // A named audience's resolver sees the campaign being edited (unsaved: no id yet).
        campaign: {
          id: relationId(body.campaign) ?? '',
          account: accountId,
          audienceType,
          csvFile,
        },
        csvFile,
        payload: req.payload,
        req,
        retarget: {
          button: typeof body.retargetButton === 'string' ? body.retargetButton : undefined,
          campaign: relationId(body.retargetCampaign),
          outcome: typeof body.retargetOutcome === 'string' ? body.retargetOutcome : undefined,
        },
      }),
    )
  },
  method: 'post',
  path: '/audience-preview',
})
