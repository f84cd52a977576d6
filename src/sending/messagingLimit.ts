import type { MessagingLimit } from '../store/index.js'
import type { AccountDoc } from './campaignContext.js'

import { tierLimit } from '../meta/messagingTiers.js'

/**
 * Meta counts unique recipients in a moving 24 hours; ours is 10 minutes longer, since a send
 * goes out a little after its recipient is counted (pacing, retries) and must not fall outside.
 */
export const messagingWindowMs = (24 * 60 + 10) * 60 * 1000

type LimitedAccount = Pick<AccountDoc, 'messagingLimit' | 'portfolioId' | 'wabaId'>

/** Whose limit the account's sends count against: its business portfolio, else its WABA. */
export const portfolioOf = (account: LimitedAccount): string =>
  account.portfolioId ? `portfolio:${account.portfolioId}` : `waba:${account.wabaId}`

/** The account's messaging limit read at `now`; undefined when its tier sets none (unlimited, unknown). */
export const messagingLimitOf = (
  account: LimitedAccount,
  now: Date,
): MessagingLimit | undefined => {
  const limit = tierLimit(account.messagingLimit)
  return limit === null ? undefined : { limit, now, windowMs: messagingWindowMs }
}
