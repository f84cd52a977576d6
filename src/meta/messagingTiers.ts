/**
 * Meta's messaging-limit tiers, as the phone number's `whatsapp_business_manager_messaging_limit`
 * field names them: unique recipients of business-initiated messages a business portfolio may
 * reach in a moving 24 hours, shared by all its numbers. TIER_50 and TIER_1K are older values.
 */
export const messagingTiers = [
  'TIER_50',
  'TIER_250',
  'TIER_1K',
  'TIER_2K',
  'TIER_10K',
  'TIER_100K',
  'TIER_UNLIMITED',
] as const

export type MessagingTier = (typeof messagingTiers)[number]

export const isMessagingTier = (value: unknown): value is MessagingTier =>
  (messagingTiers as readonly unknown[]).includes(value)

/** The tier's limit in unique recipients; null when unlimited or not known. */
export const tierLimit = (tier: unknown): null | number => {
  const match = typeof tier === 'string' ? /^TIER_(\d+)(K?)$/.exec(tier) : null
  return match ? Number(match[1]) * (match[2] ? 1000 : 1) : null
}

/** "TIER_2K" -> "2,000"; "TIER_UNLIMITED" -> "unlimited". */
export const tierLabel = (tier: MessagingTier): string => {
  const limit = tierLimit(tier)
  return limit === null ? 'unlimited' : limit.toLocaleString('en-US')
}
