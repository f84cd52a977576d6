import type { Endpoint, Where } from 'payload'

import type { ResolvedOptions } from '../options.js'

import { csvLine } from '../analytics/csvCell.js'
import { relationId } from '../collections/relationId.js'
import { refuseUnlessAllowed } from './checkAccess.js'

const columns = [
  'phoneNumber',
  'name',
  'status',
  'messageId',
  'errorCode',
  'errorMessage',
  'sentAt',
  'deliveredAt',
  'readAt',
  'failedAt',
  'repliedAt',
  'replyText',
  'replyButton',
  'pricingCategory',
  'billable',
  'parameters',
] as const

const pageSize = 1000

/**
 * GET /api/<campaigns>/:id/recipients.csv[?status=failed&phone=9198&replied=yes|no&button=YES]:
 * every recipient with its outcome and first answer,
 * streamed page by page, formulas neutralized.
 */
export const exportRecipientsEndpoint = (options: ResolvedOptions): Endpoint => ({
  handler: async (req) => {
    const id = relationId(req.routeParams?.id) ?? ''
    const refusal = await refuseUnlessAllowed(req, options.access.read, 'read campaigns', {
      id,
      collection: options.slugs.campaigns,
    })
    if (refusal) {
      return refusal
    }
    const campaign = await req.payload
      .findByID({ id, collection: options.slugs.campaigns, depth: 0, disableErrors: true })
      .catch(() => null)
    if (!campaign) {
      return Response.json({ error: `Campaign ${id} not found.` }, { status: 404 })
    }
    const status = req.searchParams.get('status')
    const phone = req.searchParams.get('phone')?.replace(/\D/g, '')
    const replied = req.searchParams.get('replied')
    const button = req.searchParams.get('button')
    const where: Where = {
      and: [
        { campaign: { equals: id } },
        ...(status ? [{ status: { equals: status } }] : []),
        ...(phone ? [{ phoneNumber: { like: phone } }] : []),
        ...(replied === 'yes' || replied === 'no'
          ? [{ repliedAt: { exists: replied === 'yes' } }]
          : []),
        ...(button ? [{ replyButton: { equals: button } }] : []),
      ],
    }
    const { payload } = req
    const encoder = new TextEncoder()
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode(csvLine([...columns])))
        for (let page = 1; ; page++) {
          const { docs, hasNextPage } = await payload.find({
            collection: options.slugs.recipients,
            depth: 0,
            limit: pageSize,
            page,
            sort: 'id',
            where,
          })
          controller.enqueue(
            encoder.encode(docs.map((doc) => csvLine(columns.map((c) => doc[c]))).join('')),
          )
          if (!hasNextPage) {
            break
          }
        }
        controller.close()
      },
    })
    const filename = `campaign-${id}-recipients.csv`
    return new Response(body, {
      headers: {
        'content-disposition': `attachment; filename="${filename}"`,
        'content-type': 'text/csv; charset=utf-8',
      },
    })
  },
  method: 'get',
  path: '/:id/recipients.csv',
})
