export const campaignStatuses = [
  'draft',
  'scheduled',
  'running',
  'paused',
  'completed',
  'failed',
  'cancelled',
] as const
export type CampaignStatus = (typeof campaignStatuses)[number]

/** pending -> sending (claimed) -> sent -> delivered -> read; failed is terminal; unknown: see README. */
export const recipientStatuses = [
  'pending',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
  'unknown',
] as const
export type RecipientStatus = (typeof recipientStatuses)[number]

export const campaignCounterFields = [
  'totalCount',
  'sentCount',
  'deliveredCount',
  'readCount',
  'failedCount',
  'unknownCount',
] as const
export type CampaignCounterField = (typeof campaignCounterFields)[number]

/** The campaign's engine-set dates, in its sidebar; its live figures carry them too. */
export const campaignDateFields = ['startedAt', 'pausedAt', 'completedAt'] as const
/** ISO dates, null until set. */
export type CampaignDates = Record<(typeof campaignDateFields)[number], null | string>
