/**
 * What Meta currently says stops an account from sending, read from the signals stored on it
 * (see webhooks/accountUpdates.ts and webhooks/qualityUpdates.ts).
 */
export type AccountSignals = {
  banState?: null | string
  qualityRating?: null | string
  restrictedUntil?: Date | null | string
  restriction?: null | string
}

export type Hold = {
  kind: 'ban' | 'quality' | 'restriction'
  message: string
  /** When it lifts by itself (a restriction's expiry). */
  until?: Date
}

/** Restrictions that do not stop business-initiated messages (what campaigns send). */
const harmless = new Set([
  'RESTRICTED_ADD_PHONE_NUMBER_ACTION',
  'RESTRICTED_CUSTOMER_INITIATED_MESSAGING',
])

/** Whether a restriction type stops campaigns: business-initiated messaging, or one we do not know. */
export const restrictsSending = (type: string): boolean => !harmless.has(type.trim().toUpperCase())

/**
 * The account's holds now: a ban; a restriction of business-initiated messaging not yet
 * expired; a RED quality rating when `pauseOnQualityDrop` is on.
 */
export const accountHolds = (
  account: AccountSignals,
  { now = new Date(), pauseOnQualityDrop }: { now?: Date; pauseOnQualityDrop: boolean },
): Hold[] => {
  const holds: Hold[] = []
  if (account.banState === 'DISABLE' || account.banState === 'DELETED') {
    holds.push({
      kind: 'ban',
      message: `Meta disabled the WhatsApp Business Account (${account.banState}).`,
    })
  }
  const types = (account.restriction ?? '')
    .split(',')
    .filter((t) => t.trim() && restrictsSending(t))
  const until = account.restrictedUntil ? new Date(account.restrictedUntil) : undefined
  if (types.length > 0 && (!until || until > now)) {
    holds.push({
      kind: 'restriction',
      message: `Meta restricted the WhatsApp Business Account (${types.map((t) => t.trim()).join(', ')})${until ? ` until ${until.toISOString()}` : ''}.`,
      until,
    })
  }
  if (pauseOnQualityDrop && account.qualityRating === 'RED') {
    holds.push({ kind: 'quality', message: 'Meta rated the number’s quality RED.' })
  }
  return holds
}
