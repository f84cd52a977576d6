import type { Endpoint, PayloadRequest } from 'payload'

import type { ResolvedOptions } from '../options.js'

import { getStore } from '../store/index.js'
import { findWebhookAccounts } from './accounts.js'
import { applyAccountUpdates } from './accountUpdates.js'
import { applyStatuses } from './applyStatuses.js'
import { applyCategoryUpdates } from './categoryUpdates.js'
import { handleInboundMessages } from './inboundMessages.js'
import { parseWebhook, WebhookShapeError } from './parseWebhook.js'
import { applyStatusSignals, applyUserPreferences } from './personSignals.js'
import { applyQualityUpdates } from './qualityUpdates.js'
import { safeEqual, signatureMatches } from './signature.js'
import { applyTemplateUpdates } from './templateUpdates.js'

const prunedAt = new WeakMap<object, number>()
const pruneEveryMs = 60 * 60 * 1000

/** At most hourly, off the response path: drops events older than the retention. */
const pruneSometimes = (req: PayloadRequest, options: ResolvedOptions) => {
  const last = prunedAt.get(req.payload) ?? 0
  if (Date.now() - last < pruneEveryMs) {
    return
  }
  prunedAt.set(req.payload, Date.now())
  const before = new Date(Date.now() - options.webhookEventRetentionDays * 24 * 60 * 60 * 1000)
  void getStore(req.payload)
    .pruneEvents(before)
    .catch((error: unknown) =>
      req.payload.logger.error({ err: error }, 'whatsapp: pruning webhook events failed'),
    )
}

const text = (body: string, status: number) =>
  new Response(body, { headers: { 'content-type': 'text/plain' }, status })

/** GET: Meta's subscription check, answered for any account's verify token. */
const verify = (options: ResolvedOptions): Endpoint => ({
  handler: async (req) => {
    const mode = req.searchParams.get('hub.mode')
    const token = req.searchParams.get('hub.verify_token') ?? ''
    const challenge = req.searchParams.get('hub.challenge') ?? ''
    if (mode !== 'subscribe' || !token) {
      return text('Forbidden', 403)
    }
    const { docs } = await req.payload.find({
      collection: options.slugs.accounts,
      depth: 0,
      pagination: false,
      select: { verifyToken: true },
      where: { verifyToken: { exists: true } },
    })
    const known = docs.some(
      (doc) => typeof doc.verifyToken === 'string' && safeEqual(doc.verifyToken, token),
    )
    return known ? text(challenge, 200) : text('Forbidden', 403)
  },
  method: 'get',
  path: '/whatsapp/webhook',
})

/** POST: signed events from Meta. Nothing changes unless every account named signed the body. */
const receive = (options: ResolvedOptions): Endpoint => ({
  handler: async (req) => {
    const declared = Number(req.headers.get('content-length') ?? 0)
    if (declared > options.webhookMaxBytes) {
      return Response.json({ error: 'Webhook body too large.' }, { status: 413 })
    }
    const raw = req.text ? await req.text() : ''
    if (Buffer.byteLength(raw) > options.webhookMaxBytes) {
      return Response.json({ error: 'Webhook body too large.' }, { status: 413 })
    }
    let parsed
    try {
      parsed = parseWebhook(JSON.parse(raw) as unknown)
    } catch (error) {
      const reason = error instanceof WebhookShapeError ? error.message : 'The body is not JSON.'
      req.payload.logger.warn(`whatsapp webhook refused: ${reason}`)
      return Response.json({ error: reason }, { status: 400 })
    }
    const phoneNumberIds = [...parsed.phoneNumberIds]
    const wabaIds = [...parsed.wabaIds]
    const accounts = await findWebhookAccounts(req.payload, options, { phoneNumberIds, wabaIds })
    const signer = (account: (typeof accounts)[number]) =>
      signatureMatches(raw, req.headers.get('x-hub-signature-256'), account.appSecret ?? '')
    const named = [
      ...phoneNumberIds.map((id) => accounts.find((a) => a.phoneNumberId === id)),
      ...wabaIds.map((id) => accounts.find((a) => a.wabaId === id)),
    ]
    if (named.length === 0) {
      return Response.json({ received: 0 })
    }
    if (named.some((account) => !account || !signer(account))) {
      return Response.json({ error: 'Unknown account or bad signature.' }, { status: 401 })
    }
    await applyStatuses(req.payload, parsed.statuses)
    await applyStatusSignals(req.payload, options, parsed.statuses, accounts)
    await handleInboundMessages(req.payload, options, parsed.messages, accounts)
    await applyUserPreferences(req.payload, options, parsed.userPreferences, accounts)
    await applyTemplateUpdates(req.payload, options, parsed.templateUpdates, accounts)
    await applyCategoryUpdates(req.payload, options, parsed.categoryUpdates, accounts)
    await applyQualityUpdates(req.payload, options, parsed.qualityUpdates, accounts)
    await applyAccountUpdates(req.payload, options, parsed.accountUpdates, accounts)
    pruneSometimes(req, options)
    return Response.json({
      received:
        parsed.statuses.length +
        parsed.messages.length +
        parsed.templateUpdates.length +
        parsed.userPreferences.length +
        parsed.categoryUpdates.length +
        parsed.qualityUpdates.length +
        parsed.accountUpdates.length,
    })
  },
  method: 'post',
  path: '/whatsapp/webhook',
})

export const webhookEndpoints = (options: ResolvedOptions): Endpoint[] => [
  verify(options),
  receive(options),
]
