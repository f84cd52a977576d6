import type { MetaTemplate } from '../../src/meta/types.js'

export type SimulatedAccount = {
  accessToken: string
  appSecret: string
  /** The business portfolio owning the WABA (its `owner_business_info.id`); none when unset. */
  businessId?: string
  displayPhoneNumber?: string
  /**
   * The number's `whatsapp_business_manager_messaging_limit` (TIER_250, TIER_2K, TIER_10K,
   * TIER_100K, TIER_UNLIMITED). Default TIER_UNLIMITED. Reported only: the simulator does not
   * refuse sends over it (Meta documents no error code for it).
   */
  messagingLimit?: string
  phoneNumberId: string
  wabaId: string
}

export type SimulatorOptions = {
  accounts: SimulatedAccount[]
  /** Delivery statuses that fail (a "failed" webhook with this code instead of delivered). */
  deliveryFailureCode?: number
  deliveryFailureRate?: number
  /** Send each webhook twice with this probability. */
  duplicateWebhookRate?: number
  /**
   * Answer every send from a phone number id with this Meta error code, as Meta does once it
   * stops an account or number (368, 131048, 131031, 190, 132001, ...).
   */
  errorCodesByNumber?: Record<string, number>
  /** Force a Meta error code for a recipient (E.164 digits). */
  errorCodesByPhone?: Record<string, number>
  /** Answer every send of a template (by name) with this Meta error code (132015, 132016, ...). */
  errorCodesByTemplate?: Record<string, number>
  failureCode?: number
  /** Random permanent failures. */
  failureRate?: number
  host?: string
  http500Rate?: number
  latencyMs?: { max: number; min: number } | number
  /** Sent in the simulatorOwnerHeader of every answer, so a process finding it on a port knows whose it is. */
  owner?: string
  port?: number
  /**
   * Quick-reply buttons (payloads) the simulated people tap when the template has none of its
   * own; without them, and without the template's, a reply is a text.
   */
  replyButtons?: string[]
  /**
   * Share of delivered messages the person answers (a text reply, or a tap on one of the
   * template's QUICK_REPLY buttons), sent as an inbound message whose context.id is the message.
   */
  replyRate?: number
  /** Deliver each message's webhooks in random order. */
  shuffleWebhooks?: boolean
  templates: Record<string, MetaTemplate[]>
  /** Accepted sends per phone number in any 1-second window; more answer 130429. */
  throughputCap?: number
  /** Never answer this share of sends (the client times out); they are not sent. */
  timeoutRate?: number
  webhookDelayMs?: number
  webhookStatuses?: Array<'delivered' | 'read' | 'sent'>
  webhookUrl?: string
}

export type SentMessage = {
  /** The template's category, which its status webhooks' pricing carries. */
  category?: string
  components: unknown[]
  id: string
  language: string
  phoneNumberId: string
  receivedAt: number
  templateName: string
  to: string
}

export type RequestLog = {
  at: number
  errorCode?: number
  phoneNumberId: string
  status: number
  to?: string
}

/** `sendQualityUpdate`: the webhook Meta posts when a number's quality or limit changes. */
export type QualityUpdateArgs = {
  /** TIER_250, TIER_2K, TIER_10K, TIER_100K, TIER_UNLIMITED (sent as current_limit and max_daily_conversations_per_business). */
  currentLimit?: string
  /** FLAGGED, UNFLAGGED, DOWNGRADE, UPGRADE, ... */
  event: string
  phoneNumberId: string
  /** Sent in the newer shape: `quality_score: { score }` (GREEN, YELLOW, RED, UNKNOWN). */
  qualityScore?: string
  time?: Date
}

/** `sendCategoryUpdate`: Meta moved a template to another category (or will, at `effectiveAt`). */
export type CategoryUpdateArgs = {
  /** Announce the change for this time instead of reporting it made. */
  effectiveAt?: Date
  language: string
  newCategory: string
  /** Default: the simulated template's category. */
  previousCategory?: string
  templateName: string
  time?: Date
  wabaId: string
}

/** `sendAccountUpdate`: restrictions, bans and violations of a WhatsApp Business Account. */
export type AccountUpdateArgs = {
  /** DISABLED_UPDATE's ban state: DISABLE, REINSTATE, SCHEDULE_FOR_DISABLE. */
  banState?: string
  event: string
  /** ACCOUNT_RESTRICTION's restrictions (an empty list lifts them). */
  restrictions?: Array<{ expiration?: Date; type: string }>
  time?: Date
  violationType?: string
  wabaId: string
}

/** `sendTemplateStatusUpdate`: Meta approved, paused, disabled... a template. */
export type TemplateStatusArgs = {
  event: string
  language: string
  reason?: string
  templateName: string
  /** The entry's time (default now): reordered webhooks are told apart by it. */
  time?: Date
  wabaId: string
}
