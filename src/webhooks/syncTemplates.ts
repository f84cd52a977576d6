import type { Endpoint, Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'

import { refuseUnlessAllowed } from '../endpoints/checkAccess.js'
import { createGraphClient } from '../meta/graphClient.js'
import { templateDocument } from '../meta/templateDocument.js'
import { getPluginOptions } from '../pluginContext.js'
import { syncMessagingLimit } from './syncMessagingLimit.js'

/** Pulls an account's templates from Meta and creates or updates whatsapp-templates. */
export const syncTemplates = async (
  payload: Payload,
  { accountId }: { accountId: number | string },
): Promise<{ created: number; total: number; updated: number }> => {
  const options = getPluginOptions(payload)
  const account = await payload.findByID({
    id: accountId,
    collection: options.slugs.accounts,
    depth: 0,
    showHiddenFields: true,
  })
  if (!account.accessToken) {
    throw new Error(`The account "${String(account.name)}" has no access token.`)
  }
  const client = createGraphClient({
    accessToken: String(account.accessToken),
    apiVersion: options.graphApiVersion,
    baseUrl: options.graphApiUrl,
    timeoutMs: options.graphTimeoutMs,
  })
  const result = { created: 0, total: 0, updated: 0 }
  for await (const template of client.listTemplates(String(account.wabaId))) {
    result.total++
    const data = templateDocument(template, account.id)
    const { docs } = await payload.find({
      collection: options.slugs.templates,
      depth: 0,
      limit: 1,
      where: {
        and: [
          { account: { equals: account.id } },
          { name: { equals: template.name } },
          { language: { equals: template.language } },
        ],
      },
    })
    if (docs[0]) {
      await payload.update({ id: docs[0].id, collection: options.slugs.templates, data })
      result.updated++
    } else {
      await payload.create({ collection: options.slugs.templates, data })
      result.created++
    }
  }
  return result
}

/**
 * POST /api/<templates>/sync [{ account }]: the Sync templates button. Each account's messaging
 * limit and portfolio are synced too; failing to read them does not fail the templates.
 */
export const syncTemplatesEndpoint = (options: ResolvedOptions): Endpoint => ({
  handler: async (req) => {
    const refusal = await refuseUnlessAllowed(req, options.access.run, 'sync templates')
    if (refusal) {
      return refusal
    }
    const body = (req.json ? await req.json().catch(() => ({})) : {}) as { account?: unknown }
    const requested =
      typeof body.account === 'string' || typeof body.account === 'number'
        ? [body.account]
        : undefined
    // Without an account, the list view's button syncs every account the site has.
    const accountIds =
      requested ??
      (
        await req.payload.find({
          collection: options.slugs.accounts,
          depth: 0,
          pagination: false,
          select: {},
        })
      ).docs.map((doc) => doc.id)
    const total = {
      created: 0,
      errors: [] as string[],
      limitErrors: [] as string[],
      limitsSynced: 0,
      total: 0,
      updated: 0,
    }
    for (const accountId of accountIds) {
      try {
        await syncMessagingLimit(req.payload, { accountId })
        total.limitsSynced++
      } catch (error) {
        total.limitErrors.push((error as Error).message)
      }
      try {
        const result = await syncTemplates(req.payload, { accountId })
        total.created += result.created
        total.updated += result.updated
        total.total += result.total
      } catch (error) {
        total.errors.push((error as Error).message)
      }
    }
    if (total.errors.length > 0 && total.total === 0) {
      return Response.json({ error: total.errors.join(' '), ...total }, { status: 502 })
    }
    return Response.json(total)
  },
  method: 'post',
  path: '/sync',
})
