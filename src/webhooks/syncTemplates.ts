import type { Endpoint, Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'

import { hasAccess } from '../endpoints/checkAccess.js'
import { createGraphClient } from '../meta/graphClient.js'
import { getPluginOptions } from '../pluginContext.js'

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
    const data = {
      name: template.name,
      account: account.id,
      category: template.category,
      components: template.components,
      language: template.language,
      metaId: template.id,
      parameterFormat: template.parameter_format ?? 'POSITIONAL',
      rejectedReason: template.rejected_reason ?? null,
      status: template.status,
    }
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

/** POST /api/<templates>/sync { account }: the Sync templates button. */
export const syncTemplatesEndpoint = (options: ResolvedOptions): Endpoint => ({
  handler: async (req) => {
    if (!req.user) {
      return Response.json({ error: 'You must be logged in.' }, { status: 401 })
    }
    if (!(await hasAccess(options.access.run, req))) {
      return Response.json({ error: 'You are not allowed to sync templates.' }, { status: 403 })
    }
    const body = (req.json ? await req.json().catch(() => ({})) : {}) as { account?: unknown }
    const accountId =
      typeof body.account === 'string' || typeof body.account === 'number'
        ? body.account
        : undefined
    if (accountId === undefined) {
      return Response.json({ error: 'Say which account: { "account": id }.' }, { status: 400 })
    }
    try {
      return Response.json(await syncTemplates(req.payload, { accountId }))
    } catch (error) {
      return Response.json({ error: (error as Error).message }, { status: 502 })
    }
  },
  method: 'post',
  path: '/sync',
})
