import type { Endpoint } from 'payload'

import type { AudiencePreviewInput } from '../audience/audiencePreview.js'
import type { ResolvedOptions } from '../options.js'

import { audiencePreview } from '../audience/audiencePreview.js'
import { refuseUnlessAllowed } from './checkAccess.js'

const idOrUndefined = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' ? value : undefined

/**
 * POST /api/<campaigns>/audience-preview { audienceType, account, csvFile }: the fields the
 * audience offers to mappings, and the CSV's columns, size and first rows, before saving.
 */
export const audiencePreviewEndpoint = (options: ResolvedOptions): Endpoint => ({
  handler: async (req) => {
    const refusal = await refuseUnlessAllowed(req, options.access.read, 'read campaigns')
    if (refusal) {
      return refusal
    }
    const body = (req.json ? await req.json().catch(() => ({})) : {}) as Record<string, unknown>
    const input: AudiencePreviewInput = {
      account: idOrUndefined(body.account),
      audienceType: typeof body.audienceType === 'string' ? body.audienceType : undefined,
      csvFile: idOrUndefined(body.csvFile),
    }
    return Response.json(await audiencePreview(req.payload, options, input))
  },
  method: 'post',
  path: '/audience-preview',
})
