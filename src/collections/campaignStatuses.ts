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
  'repliedCount',
] as const
export type CampaignCounterField = (typeof campaignCounterFields)[number]

/** The campaign's engine-set dates, in its sidebar; its live figures carry them too. */
export const campaignDateFields = ['startedAt', 'pausedAt', 'completedAt'] as const
/** ISO dates, null until set. */
export type CampaignDates = Record<(typeof campaignDateFields)[number], null | string>

/**
 * What a retargeting audience picks from an earlier campaign's recipients: a status (and a
 * retryable failure), a reply, or a reply tapping a given quick-reply button (retargetButton).
 */
// In the order a message moves, as the outcome picker lists them.
/* eslint-disable perfectionist/sort-objects */
export const retargetOutcomes = {
  sent_not_delivered: { label: 'Sent but not delivered', status: 'sent' },
  delivered_not_read: { label: 'Delivered but not read', status: 'delivered' },
  read: { label: 'Read', status: 'read' },
  failed_retryable: { label: 'Failed with a retryable error', retryable: true, status: 'failed' },
  replied: { label: 'Replied', replied: true },
  tapped_button: { button: true, label: 'Tapped a quick-reply button', replied: true },
} as const satisfies Record<
  string,
  {
    button?: boolean
    label: string
    replied?: boolean
    retryable?: boolean
    status?: RecipientStatus
  }
>
/* eslint-enable perfectionist/sort-objects */
export type RetargetOutcome = keyof typeof retargetOutcomes

/** Campaign statuses whose recipients a retargeting audience may read: the campaign has sent. */
export const retargetableStatuses: CampaignStatus[] = [
  'running',
  'paused',
  'completed',
  'cancelled',
]
