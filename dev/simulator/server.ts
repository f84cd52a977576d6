import { randomBytes } from 'node:crypto'
import http from 'node:http'

import type { MetaTemplate } from '../../src/meta/types.js'
import type {
  AccountUpdateArgs,
  CategoryUpdateArgs,
  QualityUpdateArgs,
  RequestLog,
  SentMessage,
  SimulatedAccount,
  SimulatorOptions,
  TemplateStatusArgs,
} from './types.js'

import { openFrontDoor, receivedAtHeader } from './frontDoor.js'
import { handleSwitch } from './httpSwitches.js'
import { errorMessages, metaError, type MetaErrorReply } from './metaError.js'
import { mostInAnyWindow } from './mostInWindow.js'
import { parametersMatch } from './validateTemplate.js'
import { statusPayload, WebhookSender } from './webhooks.js'

export type CloudApiSimulator = {
  close(): Promise<void>
  configure(options: Partial<SimulatorOptions>): void
  /** How many accepted messages each recipient got (to check nobody got one twice). */
  countsByRecipient(phoneNumberId?: string): Map<string, number>
  flushWebhooks(): Promise<void>
  /** The most accepted sends for this number within any sliding window of `windowMs`. */
  maxInAnyWindow(phoneNumberId: string, windowMs?: number): number
  /** Every POST /messages with its outcome. */
  requests: RequestLog[]
  reset(): void
  /**
   * Posts Meta's `account_update` webhook for the WABA: ACCOUNT_RESTRICTION with
   * `restrictions` (none lifts them), DISABLED_UPDATE with a `banState`, ACCOUNT_VIOLATION...
   */
  sendAccountUpdate(args: AccountUpdateArgs): void
  /** Posts Meta's `template_category_update` webhook (a change made, or announced with `effectiveAt`). */
  sendCategoryUpdate(args: CategoryUpdateArgs): void
  /** A quick-reply button tap, e.g. Meta's "Stop promotions" on marketing templates. */
  /** A quick-reply tap; `context` is the id of the message whose button it is. */
  sendInboundButton(args: {
    context?: string
    from: string
    name?: string
    payload?: string
    phoneNumberId: string
    text: string
  }): void
  /** An inbound text; `context` is the id of the message it replies to, if any. */
  sendInboundText(args: {
    context?: string
    from: string
    name?: string
    phoneNumberId: string
    text: string
  }): void
  /** Posts Meta's `phone_number_quality_update` webhook for the number. */
  sendQualityUpdate(args: QualityUpdateArgs): void
  /**
   * Posts Meta's template status webhook (APPROVED, PAUSED, DISABLED, ...). The simulated
   * template takes that status too, so sends of a PAUSED one answer 132015, a DISABLED one 132016.
   */
  sendTemplateStatusUpdate(args: TemplateStatusArgs): void
  /** The person stopped or resumed marketing messages (webhook field "user_preferences"). */
  sendUserPreference(args: {
    from: string
    name?: string
    phoneNumberId: string
    timestamp?: Date
    value: 'resume' | 'stop'
  }): void
  /** Accepted messages, in order. */
  sent: SentMessage[]
  url: string
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

const pick = (latency: SimulatorOptions['latencyMs']) =>
  typeof latency === 'object'
    ? latency.min + Math.random() * (latency.max - latency.min)
    : (latency ?? 0)

/** The template's QUICK_REPLY buttons' texts (Meta's payload for a tap defaults to the text). */
const quickRepliesOf = (template: MetaTemplate) =>
  template.components.flatMap((component) =>
    component.type === 'BUTTONS' && Array.isArray(component.buttons)
      ? (component.buttons as Array<{ text?: string; type?: string }>).flatMap((b) =>
          b.type === 'QUICK_REPLY' && b.text ? [b.text] : [],
        )
      : [],
  )

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const shuffle = <T>(items: T[]) => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[items[i], items[j]] = [items[j], items[i]]
  }
  return items
}

/** A local stand-in for Meta's WhatsApp Cloud API, speaking its request, answer and webhook shapes. */
/** Names the checkout whose dev app started the simulator (see SimulatorOptions.owner). */
export const simulatorOwnerHeader = 'x-simulator-owner'

export const startCloudApiSimulator = async (
  initial: Partial<SimulatorOptions> = {},
): Promise<CloudApiSimulator> => {
  const options: SimulatorOptions = { accounts: [], templates: {}, ...initial }
  const sent: SentMessage[] = []
  const requests: RequestLog[] = []
  const acceptedAt = new Map<string, number[]>()
  const webhooks = new WebhookSender(() => options.webhookUrl)
  const hanging = new Set<http.ServerResponse>()

  const accountByPhone = (id: string) => options.accounts.find((a) => a.phoneNumberId === id)
  const accountByWaba = (id: string) => options.accounts.find((a) => a.wabaId === id)
  const authorized = (req: http.IncomingMessage, account: SimulatedAccount) =>
    req.headers.authorization === `Bearer ${account.accessToken}`

  const postSigned = (
    account: SimulatedAccount,
    payload: unknown,
    delayMs = options.webhookDelayMs ?? 0,
  ) => webhooks.post({ body: JSON.stringify(payload), secret: account.appSecret }, delayMs)

  const emitStatuses = (
    account: SimulatedAccount,
    message: SentMessage,
    quickReplies: string[],
  ) => {
    const fails = Math.random() < (options.deliveryFailureRate ?? 0)
    const statuses: string[] = fails
      ? ['sent', 'failed']
      : [...(options.webhookStatuses ?? ['sent', 'delivered', 'read'])]
    const events = statuses.map((status) =>
      statusPayload({
        displayPhoneNumber: account.displayPhoneNumber ?? '15550000000',
        errors:
          status === 'failed'
            ? [
                {
                  code: options.deliveryFailureCode ?? 131026,
                  message: errorMessages[options.deliveryFailureCode ?? 131026] ?? 'Failed',
                  title: errorMessages[options.deliveryFailureCode ?? 131026] ?? 'Failed',
                },
              ]
            : undefined,
        messageId: message.id,
        phoneNumberId: account.phoneNumberId,
        pricingCategory: message.category?.toLowerCase(),
        recipient: message.to,
        status,
        wabaId: account.wabaId,
      }),
    )
    const ordered = options.shuffleWebhooks ? shuffle(events) : events
    ordered.forEach((event, i) => {
      postSigned(account, event, (options.webhookDelayMs ?? 0) + i * 5)
      if (Math.random() < (options.duplicateWebhookRate ?? 0)) {
        postSigned(account, event, (options.webhookDelayMs ?? 0) + i * 5 + 20)
      }
    })
    if (!fails && Math.random() < (options.replyRate ?? 0)) {
      const buttons = quickReplies.length > 0 ? quickReplies : options.replyButtons
      const button = buttons?.length
        ? buttons[Math.floor(Math.random() * buttons.length)]
        : undefined
      postInbound(
        { from: message.to, phoneNumberId: account.phoneNumberId },
        button
          ? { type: 'button', button: { payload: button, text: button } }
          : { type: 'text', text: { body: 'Thanks, tell me more' } },
        message.id,
        (options.webhookDelayMs ?? 0) + statuses.length * 5 + 20,
      )
    }
  }

  const knownAccount = (phoneNumberId: string) => {
    const account = accountByPhone(phoneNumberId)
    if (!account) {
      throw new Error(`unknown phone number id ${phoneNumberId}`)
    }
    return account
  }

  /** One change of a phone number's webhook (field "messages", "user_preferences"). */
  const changeOf = (account: SimulatedAccount, field: string, value: Record<string, unknown>) => ({
    entry: [
      {
        id: account.wabaId,
        changes: [
          {
            field,
            value: {
              ...value,
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: account.displayPhoneNumber ?? '15550000000',
                phone_number_id: account.phoneNumberId,
              },
            },
          },
        ],
      },
    ],
    object: 'whatsapp_business_account',
  })

  /** One change of a WABA's webhook (template, quality and account fields), with the entry's time. */
  const postWabaChange = (
    wabaId: string,
    field: string,
    value: Record<string, unknown>,
    time = new Date(),
  ) => {
    const account = accountByWaba(wabaId)
    if (!account) {
      throw new Error(`unknown WABA id ${wabaId}`)
    }
    postSigned(account, {
      entry: [{ id: wabaId, changes: [{ field, value }], time: Math.floor(time.getTime() / 1000) }],
      object: 'whatsapp_business_account',
    })
  }

  /** The WABA's templates with `change` applied to one (a copy: template lists may be shared). */
  const updateTemplate = (
    wabaId: string,
    name: string,
    language: string,
    change: Partial<MetaTemplate>,
  ) => {
    const template = (options.templates[wabaId] ?? []).find(
      (t) => t.name === name && t.language === language,
    )
    if (template) {
      options.templates = {
        ...options.templates,
        [wabaId]: (options.templates[wabaId] ?? []).map((t) =>
          t === template ? { ...t, ...change } : t,
        ),
      }
    }
    return template
  }

  /** A message from a person to the business, as Meta posts it. */
  /** An inbound message; `context` is the id of the message it answers (a reply or a tap). */
  const postInbound = (
    { name, from, phoneNumberId }: { from: string; name?: string; phoneNumberId: string },
    content: Record<string, unknown>,
    context?: string,
    delayMs?: number,
  ) => {
    const account = knownAccount(phoneNumberId)
    postSigned(
      account,
      changeOf(account, 'messages', {
        contacts: [{ profile: { name: name ?? from }, wa_id: from }],
        messages: [
          {
            id: `wamid.${randomBytes(18).toString('base64url')}`,
            ...(context ? { context: { id: context } } : {}),
            from,
            timestamp: String(Math.floor(Date.now() / 1000)),
            ...content,
          },
        ],
      }),
      delayMs,
    )
  }

  const errorSwitches = () => ({
    errorCodesByNumber: options.errorCodesByNumber ?? {},
    errorCodesByPhone: options.errorCodesByPhone ?? {},
    errorCodesByTemplate: options.errorCodesByTemplate ?? {},
  })

  const withinCap = (phoneNumberId: string, now: number) => {
    if (!options.throughputCap) {
      return true
    }
    const times = acceptedAt.get(phoneNumberId) ?? []
    let inWindow = 0
    for (let i = times.length - 1; i >= 0 && times[i] > now - 1000; i--) {
      inWindow++
    }
    return inWindow < options.throughputCap
  }

  /** Keeps each number's accepted times in order (answers may come back out of order). */
  const accept = (phoneNumberId: string, at: number) => {
    const times = acceptedAt.get(phoneNumberId) ?? []
    let i = times.length
    while (i > 0 && times[i - 1] > at) {
      i--
    }
    times.splice(i, 0, at)
    if (times.length > 10_000) {
      times.splice(0, times.length - 5000)
    }
    acceptedAt.set(phoneNumberId, times)
  }

  const handleSend = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    phoneNumberId: string,
    raw: string,
  ) => {
    const log = (status: number, errorCode?: number, to?: string) =>
      requests.push({ at: Date.now(), errorCode, phoneNumberId, status, to })
    const reply = ({ body, status }: MetaErrorReply, to?: string) => {
      log(status, body.error.code, to)
      json(res, status, body)
    }
    const forcedError = (code: number, to: string) =>
      reply(metaError(code === 190 ? 401 : 400, code, errorMessages[code] ?? `Error ${code}`), to)
    // Meta counts a send against the number's throughput when the request reaches it (the front
    // door's time); the latency is its answer's. (Counted after a timer, sends that arrived apart
    // would bunch whenever this process is busy, as expired timers all fire in one tick.)
    const receivedAt = Number(req.headers[receivedAtHeader]) || Date.now()
    await sleep(pick(options.latencyMs))
    const account = accountByPhone(phoneNumberId)
    if (!account) {
      return reply(metaError(400, 100, 'Unsupported post request', 'Unknown phone number id', 33))
    }
    if (!authorized(req, account)) {
      return reply(metaError(401, 190, errorMessages[190]))
    }
    let body: {
      messaging_product?: string
      template?: { components?: unknown[]; language?: { code?: string }; name?: string }
      to?: string
      type?: string
    }
    try {
      body = JSON.parse(raw) as typeof body
    } catch {
      return reply(metaError(400, 100, 'Invalid parameter', 'Request body is not JSON'))
    }
    const to = String(body.to ?? '')
    if (body.messaging_product !== 'whatsapp' || body.type !== 'template' || !body.template) {
      return reply(metaError(400, 100, 'Invalid parameter', 'Expected a template message'), to)
    }
    if (!/^\d{8,15}$/.test(to)) {
      return reply(metaError(400, 100, 'Invalid parameter', `Invalid "to": ${to}`), to)
    }
    // Forced per-recipient errors come first, so tests control them exactly.
    const forced =
      options.errorCodesByPhone?.[to] ??
      options.errorCodesByNumber?.[phoneNumberId] ??
      options.errorCodesByTemplate?.[body.template.name ?? '']
    if (forced !== undefined) {
      return forcedError(forced, to)
    }
    if (Math.random() < (options.http500Rate ?? 0)) {
      return reply(metaError(500, 1, 'An unknown error occurred'), to)
    }
    if (Math.random() < (options.timeoutRate ?? 0)) {
      // Never answered, never sent: the client gives up on its own.
      log(0, undefined, to)
      hanging.add(res)
      return
    }
    const template: MetaTemplate | undefined = (options.templates[account.wabaId] ?? []).find(
      (t) => t.name === body.template?.name && t.language === body.template?.language?.code,
    )
    const stoppedTemplateCodes: Record<string, number> = { DISABLED: 132016, PAUSED: 132015 }
    if (template && stoppedTemplateCodes[template.status] !== undefined) {
      return forcedError(stoppedTemplateCodes[template.status], to)
    }
    if (!template || template.status !== 'APPROVED') {
      return reply(
        metaError(
          404,
          132001,
          errorMessages[132001],
          `template name (${body.template.name}) does not exist in ${body.template.language?.code}`,
        ),
        to,
      )
    }
    if (!parametersMatch(template, body.template.components)) {
      return reply(metaError(400, 132000, errorMessages[132000]), to)
    }
    if (Math.random() < (options.failureRate ?? 0)) {
      const code = options.failureCode ?? 131026
      return reply(metaError(400, code, errorMessages[code] ?? `Error ${code}`), to)
    }
    if (!withinCap(phoneNumberId, receivedAt)) {
      return reply(
        metaError(
          400,
          130429,
          errorMessages[130429],
          'Cloud API message throughput has been reached.',
        ),
        to,
      )
    }
    accept(phoneNumberId, receivedAt)
    const message: SentMessage = {
      id: `wamid.${randomBytes(18).toString('base64url')}`,
      category: template.category,
      components: body.template.components ?? [],
      language: String(body.template.language?.code),
      phoneNumberId,
      receivedAt,
      templateName: template.name,
      to,
    }
    sent.push(message)
    log(200, undefined, to)
    json(res, 200, {
      contacts: [{ input: to, wa_id: to }],
      messages: [{ id: message.id }],
      messaging_product: 'whatsapp',
    })
    emitStatuses(account, message, quickRepliesOf(template))
  }

  const handleTemplates = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    wabaId: string,
    url: URL,
  ) => {
    const account = accountByWaba(wabaId)
    if (!account) {
      return json(
        res,
        400,
        metaError(400, 100, 'Unsupported get request', 'Unknown WABA id', 33).body,
      )
    }
    if (!authorized(req, account)) {
      return json(res, 401, metaError(401, 190, errorMessages[190]).body)
    }
    const all = options.templates[wabaId] ?? []
    const limit = Math.max(1, Number(url.searchParams.get('limit') ?? 25))
    const start = Number(url.searchParams.get('after') ?? 0)
    const page = all.slice(start, start + limit)
    const after = start + page.length
    const next = new URL(url)
    next.searchParams.set('after', String(after))
    json(res, 200, {
      data: page,
      paging: {
        cursors: { after: String(after), before: String(start) },
        ...(after < all.length ? { next: `${simulatorUrl}${next.pathname}${next.search}` } : {}),
      },
    })
  }

  /** GET /{id}?fields=...: a phone number's messaging limit, a WABA's owner business. */
  const handleFields = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    id: string,
    url: URL,
  ) => {
    const number = accountByPhone(id)
    const account = number ?? accountByWaba(id)
    if (!account) {
      return json(res, 400, metaError(400, 100, 'Unsupported get request', 'Unknown id', 33).body)
    }
    if (!authorized(req, account)) {
      return json(res, 401, metaError(401, 190, errorMessages[190]).body)
    }
    const asked = (url.searchParams.get('fields') ?? '').split(',')
    const fields: Record<string, unknown> = number
      ? {
          display_phone_number: account.displayPhoneNumber ?? '15550000000',
          whatsapp_business_manager_messaging_limit: account.messagingLimit ?? 'TIER_UNLIMITED',
        }
      : account.businessId
        ? { owner_business_info: { id: account.businessId, name: 'Simulated business' } }
        : {}
    json(res, 200, {
      id,
      ...Object.fromEntries(Object.entries(fields).filter(([name]) => asked.includes(name))),
    })
  }

  const server = http.createServer((req, res) => {
    if (options.owner) {
      res.setHeader(simulatorOwnerHeader, options.owner)
    }
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://simulator')
      const send = /^\/v\d+\.\d+\/(\d+)\/messages$/.exec(url.pathname)
      const list = /^\/v\d+\.\d+\/(\d+)\/message_templates$/.exec(url.pathname)
      const node = /^\/v\d+\.\d+\/(\d+)$/.exec(url.pathname)
      if (url.pathname.startsWith('/simulator/')) {
        // `simulator` exists by then: requests only come once start has returned it.
        void handleSwitch(
          { errors: errorSwitches, simulator },
          req.method ?? 'GET',
          url.pathname,
          Buffer.concat(chunks),
          res,
        )
      } else if (req.method === 'POST' && send) {
        void handleSend(req, res, send[1], Buffer.concat(chunks).toString('utf8'))
      } else if (req.method === 'GET' && list) {
        handleTemplates(req, res, list[1], url)
      } else if (req.method === 'GET' && node) {
        handleFields(req, res, node[1], url)
      } else {
        json(res, 404, metaError(400, 100, 'Unknown path components').body)
      }
    })
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  const host = options.host ?? '127.0.0.1'
  const frontDoor = await openFrontDoor({
    host,
    listenPort: options.port ?? 0,
    port: typeof address === 'object' && address ? address.port : 0,
  })
  const simulatorUrl = `http://${host}:${frontDoor.port}`

  const simulator: CloudApiSimulator = {
    close: async () => {
      await webhooks.flush()
      hanging.forEach((res) => res.destroy())
      await frontDoor.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
    configure: (partial) => Object.assign(options, partial),
    countsByRecipient: (phoneNumberId) => {
      const counts = new Map<string, number>()
      for (const m of sent) {
        if (!phoneNumberId || m.phoneNumberId === phoneNumberId) {
          counts.set(m.to, (counts.get(m.to) ?? 0) + 1)
        }
      }
      return counts
    },
    flushWebhooks: () => webhooks.flush(),
    maxInAnyWindow: (phoneNumberId, windowMs = 1000) =>
      mostInAnyWindow(
        sent.filter((m) => m.phoneNumberId === phoneNumberId).map((m) => m.receivedAt),
        windowMs,
      ),
    requests,
    reset: () => {
      sent.length = 0
      requests.length = 0
      acceptedAt.clear()
    },
    sendAccountUpdate: ({ banState, event, restrictions, time, violationType, wabaId }) =>
      postWabaChange(
        wabaId,
        'account_update',
        {
          event,
          ...(restrictions
            ? {
                restriction_info: restrictions.map((r) => ({
                  restriction_type: r.type,
                  // Meta's own format: "2026-04-19T13:59:20+0000".
                  ...(r.expiration
                    ? { expiration: r.expiration.toISOString().replace(/\.\d{3}Z$/, '+0000') }
                    : {}),
                })),
              }
            : {}),
          ...(banState
            ? { ban_info: { waba_ban_date: new Date().toISOString(), waba_ban_state: banState } }
            : {}),
          ...(violationType ? { violation_info: { violation_type: violationType } } : {}),
        },
        time,
      ),
    sendCategoryUpdate: ({
      effectiveAt,
      language,
      newCategory,
      previousCategory,
      templateName,
      time,
      wabaId,
    }) => {
      const template = effectiveAt
        ? (options.templates[wabaId] ?? []).find(
            (t) => t.name === templateName && t.language === language,
          )
        : updateTemplate(wabaId, templateName, language, { category: newCategory })
      const previous = previousCategory ?? template?.category
      postWabaChange(
        wabaId,
        'template_category_update',
        {
          message_template_id: Number(template?.id ?? 0),
          message_template_language: language,
          message_template_name: templateName,
          ...(effectiveAt
            ? {
                category_update_timestamp: Math.floor(effectiveAt.getTime() / 1000),
                correct_category: newCategory,
                new_category: previous,
              }
            : { new_category: newCategory, previous_category: previous }),
        },
        time,
      )
    },
    sendInboundButton: ({ name, context, from, payload, phoneNumberId, text }) =>
      postInbound(
        { name, from, phoneNumberId },
        { type: 'button', button: { payload, text } },
        context,
      ),
    sendInboundText: ({ name, context, from, phoneNumberId, text }) =>
      postInbound({ name, from, phoneNumberId }, { type: 'text', text: { body: text } }, context),
    sendQualityUpdate: ({ currentLimit, event, phoneNumberId, qualityScore, time }) => {
      const account = knownAccount(phoneNumberId)
      postWabaChange(
        account.wabaId,
        'phone_number_quality_update',
        {
          display_phone_number: account.displayPhoneNumber ?? '15550000000',
          event,
          ...(currentLimit
            ? { current_limit: currentLimit, max_daily_conversations_per_business: currentLimit }
            : {}),
          ...(qualityScore ? { quality_score: { score: qualityScore } } : {}),
        },
        time,
      )
    },
    sendTemplateStatusUpdate: ({ event, language, reason, templateName, time, wabaId }) => {
      const template = updateTemplate(wabaId, templateName, language, { status: event })
      postWabaChange(
        wabaId,
        'message_template_status_update',
        {
          event,
          message_template_id: Number(template?.id ?? 0),
          message_template_language: language,
          message_template_name: templateName,
          reason: reason ?? 'NONE',
        },
        time,
      )
    },
    sendUserPreference: ({ name, from, phoneNumberId, timestamp, value }) => {
      const account = knownAccount(phoneNumberId)
      postSigned(
        account,
        changeOf(account, 'user_preferences', {
          contacts: [{ profile: { name: name ?? from }, wa_id: from }],
          user_preferences: [
            {
              category: 'marketing_messages',
              detail:
                value === 'stop'
                  ? 'User requested to stop marketing messages'
                  : 'User requested to resume marketing messages',
              timestamp: Math.floor((timestamp ?? new Date()).getTime() / 1000),
              value,
              wa_id: from,
            },
          ],
        }),
      )
    },
    sent,
    url: simulatorUrl,
  }
  return simulator
}
