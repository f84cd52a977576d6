import type { Endpoint, Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'

import { getStore } from '../store/index.js'
import { type AccountTable, reloadWebhookAccounts, webhookAccounts } from './accounts.js'
import { loggedEvents } from './applyEvents.js'
import { parseWebhook, WebhookShapeError } from './parseWebhook.js'
import { safeEqual, signatureMatches } from './signature.js'

/** What the webhook's handlers read of a request: Payload's, or the standalone receiver's. */
export type WebhookRequest = {
  headers: Pick<Headers, 'get'>
  payload: Payload
  searchParams: URLSearchParams
  text: () => Promise<string>
}

/** Under Payload's REST route: /api/whatsapp/webhook by default. */
export const webhookPath = '/whatsapp/webhook'

const prunedAt = new WeakMap<object, number>()
const pruneEveryMs = 60 * 60 * 1000

/** At most hourly, off the response path: drops events older than the retention. */
const pruneSometimes = (req: WebhookRequest, options: ResolvedOptions) => {
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

/**
 * A handler's answer as plain data: Payload's route makes it a web `Response`, the standalone
 * receiver writes it as it is (building a `Response` cost the receiver a tenth of its CPU).
 */
export type WebhookAnswer = { body: string; headers: Record<string, string>; status: number }

/**
 * A JSON answer that `next start`'s compression leaves alone (no-transform): it would otherwise
 * gzip every acknowledgement, as Next streams route answers without their length, for a tenth
 * of the site's CPU under a campaign's webhooks.
 */
export const json = (body: object, status = 200): WebhookAnswer => ({
  body: JSON.stringify(body),
  headers: { 'cache-control': 'no-store, no-transform', 'content-type': 'application/json' },
  status,
})

const text = (body: string, status: number): WebhookAnswer => ({
  body,
  headers: { 'content-type': 'text/plain' },
  status,
})

/** GET: Meta's subscription check, answered for any account's verify token. */
export const answerVerification = async (
  req: WebhookRequest,
  options: ResolvedOptions,
): Promise<WebhookAnswer> => {
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
}

/** Whether every account the body names is known and signed it (`undefined`: none named). */
const signedByAll = (
  table: AccountTable,
  ids: { phoneNumberIds: string[]; wabaIds: string[] },
  raw: string,
  signature: null | string,
) => {
  const named = [
    ...ids.phoneNumberIds.map((id) => table.byPhoneNumberId.get(id)),
    ...ids.wabaIds.map((id) => table.byWabaId.get(id)),
  ]
  if (named.length === 0) {
    return undefined
  }
  return named.every(
    (account) => account && signatureMatches(raw, signature, account.appSecret ?? ''),
  )
}

/**
 * POST: signed events from Meta, acknowledged in one write: checked (size, shape, every named
 * account's signature, against the in-memory account table), logged in one insert, answered.
 * The applier applies them from the log, so they are durable before the 200 and Meta's
 * senders never wait on the campaign's tables.
 */
export const acceptEvents = async (
  req: WebhookRequest,
  options: ResolvedOptions,
  logged: (payload: Payload) => void,
): Promise<WebhookAnswer> => {
  const declared = Number(req.headers.get('content-length') ?? 0)
  if (declared > options.webhookMaxBytes) {
    return json({ error: 'Webhook body too large.' }, 413)
  }
  const raw = await req.text()
  if (Buffer.byteLength(raw) > options.webhookMaxBytes) {
    return json({ error: 'Webhook body too large.' }, 413)
  }
  let parsed
  try {
    parsed = parseWebhook(JSON.parse(raw) as unknown)
  } catch (error) {
    const reason = error instanceof WebhookShapeError ? error.message : 'The body is not JSON.'
    req.payload.logger.warn(`whatsapp webhook refused: ${reason}`)
    return json({ error: reason }, 400)
  }
  const ids = { phoneNumberIds: [...parsed.phoneNumberIds], wabaIds: [...parsed.wabaIds] }
  const signature = req.headers.get('x-hub-signature-256')
  let signed = signedByAll(await webhookAccounts(req.payload, options), ids, raw, signature)
  if (signed === false) {
    // An account added or changed by another process: its table is reloaded (at most every second).
    signed = signedByAll(await reloadWebhookAccounts(req.payload, options), ids, raw, signature)
  }
  if (signed === undefined) {
    return json({ received: 0 })
  }
  if (!signed) {
    return json({ error: 'Unknown account or bad signature.' }, 401)
  }
  const events = loggedEvents(parsed)
  await getStore(req.payload).logEvents(events)
  logged(req.payload)
  pruneSometimes(req, options)
  return json({ received: events.length })
}

/** The webhook's endpoints; `logged` is told when events were logged (to wake the applier). */
export const webhookEndpoints = (
  options: ResolvedOptions,
  logged: (payload: Payload) => void,
): Endpoint[] => {
  const request = (req: Parameters<Endpoint['handler']>[0]): WebhookRequest => ({
    headers: req.headers,
    payload: req.payload,
    searchParams: req.searchParams,
    text: () => (req.text ? req.text() : Promise.resolve('')),
  })
  const asResponse = ({ body, headers, status }: WebhookAnswer) =>
    new Response(body, { headers, status })
  return [
    {
      handler: async (req) => asResponse(await answerVerification(request(req), options)),
      method: 'get',
      path: webhookPath,
    },
    {
      handler: async (req) => asResponse(await acceptEvents(request(req), options, logged)),
      method: 'post',
      path: webhookPath,
    },
  ]
}
