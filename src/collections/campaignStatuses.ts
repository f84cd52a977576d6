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
