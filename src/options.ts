import type { AgendaBackend } from 'agenda'
import type { Access, CollectionConfig, Field, Payload, PayloadRequest } from 'payload'

import { isNextHelperProcess } from './nextHelperProcess.js'
import { defaultOptOutKeywords, normalizeKeyword } from './webhooks/optOutKeywords.js'

/** Replaces a collection's fields; receives the plugin's own so they can be extended. */
export type FieldsOverride = (args: { defaultFields: Field[] }) => Field[]

/** Anything of a collection config may be overridden, as in Payload's official plugins. */
export type CollectionOverride = { fields?: FieldsOverride } & Partial<
  Omit<CollectionConfig, 'fields'>
>

/** A row of a named audience: any object; phone and name are read through phoneField/nameField. */
export type AudienceRow = Record<string, unknown>

export type NamedAudienceResolverArgs = {
  /** The campaign being run, as stored (depth 0). */
  campaign: { id: number | string } & Record<string, unknown>
  payload: Payload
  req?: PayloadRequest
}

export type NamedAudience = {
  /** Field names offered in the parameter-mapping picker (rows may hold more). */
  fields?: string[]
  /** Shown in the audience type picker; defaults to the key. */
  label?: string
  /** Overrides the plugin's nameField for this audience. */
  nameField?: string
  /** Overrides the plugin's phoneField for this audience. */
  phoneField?: string
  resolve: (
    args: NamedAudienceResolverArgs,
  ) => Promise<AsyncIterable<AudienceRow> | Iterable<AudienceRow>>
}

export type InboundMessageArgs = {
  /** The receiving account (secrets not included). */
  account: { id: number | string; name?: string; phoneNumberId: string }
  /**
   * The campaign message it answers (its `context.id`), when that is one: the recipient is
   * already marked replied. Absent for other messages, and for a reply that arrived before
   * its send result was recorded (it is counted when the result lands).
   */
  answered?: { campaignId: string; recipientId: string }
  /** The message as Meta sent it (value.messages[]). */
  message: Record<string, unknown>
  /** The sender's profile name, when Meta gave one. */
  name?: string
  payload: Payload
}

export type CollectionKey =
  | 'accounts'
  | 'audienceFiles'
  | 'campaigns'
  | 'contacts'
  | 'recipients'
  | 'templates'
  | 'webhookEvents'

export type WhatsAppCampaignsPluginOptions = {
  /** Access rules; each defaults to "a logged-in user of the admin's user collection". */
  access?: {
    /** Who may read campaigns, recipients, contacts, templates and analytics. */
    read?: Access
    /** Who may run, pause, resume, cancel and retry campaigns, and sync templates. */
    run?: Access
    /** Who may create, edit and delete campaigns, contacts, templates and accounts. */
    update?: Access
  }
  /** Named audiences, selectable as an audience type by their key. */
  audiences?: Record<string, NamedAudience>
  /**
   * How long a claimed recipient may stay "sending" before its worker is presumed dead and the
   * send is reported as outcome unknown (never resent on its own). Default 120 000 ms.
   */
  claimLeaseMs?: number
  /**
   * The engine's clock for messaging limits: when recipients are counted in the portfolio's
   * moving 24 hours, and when a campaign waiting for the limit resumes. Tests move it.
   * @default () => new Date()
   */
  clock?: () => Date
  /** Slug, admin group, extra fields or hooks of each collection. */
  collections?: Partial<Record<CollectionKey, CollectionOverride>>
  /**
   * How long database calls are retried while the database is unreachable (connection dropped,
   * failover) before the campaign gives up with an error. Sending waits meanwhile. Default 60 000 ms.
   */
  databaseRetryMs?: number
  /** Calling code given to numbers written without one. Default "91", as in the spec. */
  defaultCountryCode?: string
  /** When false, the plugin adds its collections' schema but no endpoints, jobs or hooks. Default true. */
  enabled?: boolean
  /**
   * Encrypts account secrets (access token, app secret) at rest with AES-256-GCM under this
   * key. Default: the WHATSAPP_CAMPAIGNS_ENCRYPTION_KEY environment variable; unset stores them
   * in plain text. Secrets saved before a key was set are encrypted on their next save.
   */
  encryptionKey?: string
  /**
   * The error-rate breaker (listmonk's MaxSendErrors): a run pauses its campaign, with the most
   * frequent error shown, when more than `maxFailureRate` of its last `window` sends failed
   * (recipients Meta refused; opted-out contacts skipped do not count). `false` turns it off.
   * @default { window: 200, maxFailureRate: 0.3 }
   */
  errorBreaker?: ErrorBreakerOptions | false
  /**
   * At most `maxMessages` MARKETING template messages per phone per `perDays` days, across every
   * campaign of the site. Checked when a campaign's audience is materialized (at Run): a row over
   * the cap becomes a failed recipient saying why, and is not sent. Also keeps clear of Meta's
   * per-user marketing limit (131049). `false` (the default) sets no cap.
   * @default false
   */
  frequencyCap?: false | FrequencyCapOptions
  /** Graph API base URL. Default: env WHATSAPP_GRAPH_API_URL, else https://graph.facebook.com */
  graphApiUrl?: string
  /** Graph API version. Default "v21.0". */
  graphApiVersion?: string
  /**
   * How long to wait for Meta's answer to one send. A send that times out has an unknown
   * outcome (Meta may have sent it) and is not resent on its own. Default 15 000 ms.
   */
  graphTimeoutMs?: number
  /** Largest accepted CSV upload, in bytes. Default 100 MiB. */
  maxCsvBytes?: number
  /** Field of a named audience row that holds the name. Default "name". */
  nameField?: string
  /** Called for inbound messages other than opt-outs (replies, questions). */
  onInboundMessage?: (args: InboundMessageArgs) => Promise<void> | void
  /**
   * Inbound texts that opt the sender out of every template, compared as whole messages after
   * dropping case, accents, punctuation and emoji ("stop.", "Stop!" and "STOP 🙏" are STOP).
   * Default: `defaultOptOutKeywords` (STOP, UNSUBSCRIBE and their equivalents in several languages).
   */
  optOutKeywords?: string[]
  /**
   * Whether a RED quality rating (Meta's FLAGGED) or a messaging-limit DOWNGRADE of a number,
   * reported by the `phone_number_quality_update` webhook, pauses that number's running and
   * scheduled campaigns. The rating is stored on the account either way.
   * @default true
   */
  pauseOnQualityDrop?: boolean
  /** Field of a named audience row that holds the phone. Default "phone". */
  phoneField?: string
  /**
   * Where campaigns run. Default: Agenda jobs on the site's own database (MongoDB or Postgres),
   * processed by this process too. `false`: no queue, campaigns run inline in the process that starts them.
   */
  queue?: false | QueueOptions
  /**
   * Your own prices, for the cost estimate shown before Run and in campaign analytics. Meta does
   * not send prices: copy yours from Meta's pricing page or your invoices. No card, no estimate.
   */
  rateCard?: RateCard
  /**
   * Whether campaigns skip contacts Meta reported undeliverable (131026). False keeps sending
   * to them. Default true.
   */
  skipUndeliverable?: boolean
  /**
   * The webhook applier: the endpoint only logs events (one insert) and answers; one process
   * at a time (holding a lease in the database) applies them in batches.
   */
  webhookApplier?: WebhookApplierOptions
  /** Days webhook events are kept (status events still waiting for their send are kept). Default 30. */
  webhookEventRetentionDays?: number
  /** Largest accepted webhook body, in bytes. Default 1 MiB. */
  webhookMaxBytes?: number
}

export type WebhookApplierOptions = {
  /** Events applied per batch. Default 1000. */
  batchSize?: number
  /**
   * Whether this process takes part in applying webhook events (one at a time does). Default
   * true, except in Next.js's helper processes (build and render workers).
   */
  enabled?: boolean
  /** How long a dead applier's lease lasts before another process takes over. Default 10 000 ms. */
  leaseMs?: number
  /** How often an idle applier looks for new events from other processes. Default 100 ms. */
  pollMs?: number
}

export type FrequencyCapOptions = {
  /** Marketing messages a phone may get within the window. */
  maxMessages: number
  /** The window's length, in days, ending now. */
  perDays: number
}

/** Template categories Meta prices. */
export type PricedCategory = 'AUTHENTICATION' | 'MARKETING' | 'UTILITY'

export type RateCard = {
  /** ISO 4217 code the prices are in, e.g. "USD". */
  currency: string
  /**
   * Price of one message per country calling code ("91", "44", "1") and template category;
   * the `default` row prices every calling code not listed (and categories a row leaves out).
   */
  rates: { default: Partial<Record<PricedCategory, number>> } & Record<
    string,
    Partial<Record<PricedCategory, number>>
  >
}

export type QueueOptions = {
  /** An Agenda backend of your own (e.g. another database). Default: the site's database. */
  backend?: AgendaBackend
  /** Campaigns one worker process sends at once. Default 5. */
  concurrency?: number
  /** Agenda's lock on a running job; renewed every batch. Default 60 000 ms. */
  lockLifetimeMs?: number
  /** Agenda's poll interval for due jobs, in ms. Default 2000. */
  processEveryMs?: number
  /**
   * Whether this process runs campaign jobs. Default true, unless the environment variable
   * WHATSAPP_CAMPAIGNS_WORKER is "false" (e.g. web servers when separate workers run), or this
   * is one of Next.js's helper processes (build and render workers), which come and go.
   */
  worker?: boolean
}

export type ResolvedOptions = {
  access: { read: Access; run: Access; update: Access }
  audiences: Record<string, NamedAudience>
  claimLeaseMs: number
  clock: () => Date
  collections: Partial<Record<CollectionKey, CollectionOverride>>
  databaseRetryMs: number
  defaultCountryCode: string
  enabled: boolean
  encryptionKey: string | undefined
  errorBreaker: ErrorBreakerOptions | false
  frequencyCap: false | FrequencyCapOptions
  graphApiUrl: string
  graphApiVersion: string
  graphTimeoutMs: number
  maxCsvBytes: number
  nameField: string
  onInboundMessage?: WhatsAppCampaignsPluginOptions['onInboundMessage']
  optOutKeywords: string[]
  pauseOnQualityDrop: boolean
  phoneField: string
  queue: false | (Pick<QueueOptions, 'backend'> & Required<Omit<QueueOptions, 'backend'>>)
  rateCard?: RateCard
  skipUndeliverable: boolean
  slugs: Record<CollectionKey, string>
  webhookApplier: Required<WebhookApplierOptions>
  webhookEventRetentionDays: number
  webhookMaxBytes: number
}

export const defaultSlugs: Record<CollectionKey, string> = {
  accounts: 'whatsapp-accounts',
  audienceFiles: 'whatsapp-audience-files',
  campaigns: 'whatsapp-campaigns',
  contacts: 'whatsapp-contacts',
  recipients: 'whatsapp-campaign-recipients',
  templates: 'whatsapp-templates',
  webhookEvents: 'whatsapp-webhook-events',
}

export type ErrorBreakerOptions = {
  /** Share of the window's sends that may fail, from 0 to 1 (more trips the breaker). */
  maxFailureRate: number
  /** How many of the run's latest sends are looked at. */
  window: number
}

const resolveErrorBreaker = (
  breaker: ErrorBreakerOptions | false | undefined,
): ErrorBreakerOptions | false => {
  if (breaker === false) {
    return false
  }
  const resolved = { maxFailureRate: 0.3, window: 200, ...breaker }
  if (!Number.isInteger(resolved.window) || resolved.window < 1) {
    throw new Error(
      `whatsappCampaignsPlugin: errorBreaker.window must be a whole number of sends, at least 1 (got ${resolved.window})`,
    )
  }
  if (!(resolved.maxFailureRate >= 0 && resolved.maxFailureRate < 1)) {
    throw new Error(
      `whatsappCampaignsPlugin: errorBreaker.maxFailureRate must be at least 0 and below 1 (got ${resolved.maxFailureRate})`,
    )
  }
  return resolved
}

const resolveFrequencyCap = (
  cap: false | FrequencyCapOptions | undefined,
): false | FrequencyCapOptions => {
  if (!cap) {
    return false
  }
  if (!Number.isInteger(cap.maxMessages) || cap.maxMessages < 1) {
    throw new Error(
      `whatsappCampaignsPlugin: frequencyCap.maxMessages must be a whole number, at least 1 (got ${cap.maxMessages})`,
    )
  }
  if (!(cap.perDays > 0)) {
    throw new Error(
      `whatsappCampaignsPlugin: frequencyCap.perDays must be a number of days above 0 (got ${cap.perDays})`,
    )
  }
  return { maxMessages: cap.maxMessages, perDays: cap.perDays }
}

const checkRateCard = (card: RateCard | undefined): RateCard | undefined => {
  if (!card) {
    return undefined
  }
  if (!/^[A-Z]{3}$/.test(card.currency ?? '')) {
    throw new Error(
      `whatsappCampaignsPlugin: rateCard.currency must be an ISO 4217 code like "USD" (got ${card.currency})`,
    )
  }
  if (!card.rates?.default) {
    throw new Error('whatsappCampaignsPlugin: rateCard.rates needs a "default" row')
  }
  for (const [code, row] of Object.entries(card.rates)) {
    if (code !== 'default' && !/^\d{1,3}$/.test(code)) {
      throw new Error(
        `whatsappCampaignsPlugin: rateCard.rates keys are calling codes ("91") or "default" (got "${code}")`,
      )
    }
    for (const [category, price] of Object.entries(row)) {
      if (typeof price !== 'number' || !(price >= 0)) {
        throw new Error(
          `whatsappCampaignsPlugin: rateCard.rates.${code}.${category} must be a price of 0 or more`,
        )
      }
    }
  }
  return card
}

export const resolveOptions = (
  options: WhatsAppCampaignsPluginOptions,
  adminUserSlug: string,
): ResolvedOptions => {
  const isAdminUser: Access = ({ req }) =>
    Boolean(req.user && req.user.collection === adminUserSlug)
  const collections = options.collections ?? {}
  const slugs = Object.fromEntries(
    Object.entries(defaultSlugs).map(([key, slug]) => [
      key,
      collections[key as CollectionKey]?.slug ?? slug,
    ]),
  ) as Record<CollectionKey, string>

  for (const key of Object.keys(options.audiences ?? {})) {
    if (key === 'contacts' || key === 'csv' || key === 'retarget') {
      throw new Error(`whatsappCampaignsPlugin: audience key "${key}" is reserved`)
    }
  }

  return {
    access: {
      read: options.access?.read ?? isAdminUser,
      run: options.access?.run ?? isAdminUser,
      update: options.access?.update ?? isAdminUser,
    },
    audiences: options.audiences ?? {},
    claimLeaseMs: options.claimLeaseMs ?? 120_000,
    clock: options.clock ?? (() => new Date()),
    collections,
    databaseRetryMs: options.databaseRetryMs ?? 60_000,
    defaultCountryCode: options.defaultCountryCode ?? '91',
    enabled: options.enabled ?? true,
    encryptionKey: options.encryptionKey ?? process.env.WHATSAPP_CAMPAIGNS_ENCRYPTION_KEY,
    errorBreaker: resolveErrorBreaker(options.errorBreaker),
    frequencyCap: resolveFrequencyCap(options.frequencyCap),
    graphApiUrl:
      options.graphApiUrl ?? process.env.WHATSAPP_GRAPH_API_URL ?? 'https://graph.facebook.com',
    graphApiVersion: options.graphApiVersion ?? 'v21.0',
    graphTimeoutMs: options.graphTimeoutMs ?? 15_000,
    maxCsvBytes: options.maxCsvBytes ?? 100 * 1024 * 1024,
    nameField: options.nameField ?? 'name',
    onInboundMessage: options.onInboundMessage,
    optOutKeywords: (options.optOutKeywords ?? defaultOptOutKeywords).map((keyword) => {
      const normalized = normalizeKeyword(keyword)
      if (!normalized) {
        throw new Error(
          `whatsappCampaignsPlugin: opt-out keyword "${keyword}" has no letters or digits`,
        )
      }
      return normalized
    }),
    pauseOnQualityDrop: options.pauseOnQualityDrop ?? true,
    phoneField: options.phoneField ?? 'phone',
    queue:
      options.queue === false
        ? false
        : {
            backend: options.queue?.backend,
            concurrency: options.queue?.concurrency ?? 5,
            lockLifetimeMs: options.queue?.lockLifetimeMs ?? 60_000,
            processEveryMs: options.queue?.processEveryMs ?? 2000,
            worker:
              options.queue?.worker ??
              (process.env.WHATSAPP_CAMPAIGNS_WORKER !== 'false' && !isNextHelperProcess()),
          },
    rateCard: checkRateCard(options.rateCard),
    skipUndeliverable: options.skipUndeliverable ?? true,
    slugs,
    webhookApplier: {
      batchSize: options.webhookApplier?.batchSize ?? 1000,
      enabled: options.webhookApplier?.enabled ?? !isNextHelperProcess(),
      leaseMs: options.webhookApplier?.leaseMs ?? 10_000,
      pollMs: options.webhookApplier?.pollMs ?? 100,
    },
    webhookEventRetentionDays: options.webhookEventRetentionDays ?? 30,
    webhookMaxBytes: options.webhookMaxBytes ?? 1024 * 1024,
  }
}
