import type { CollectionConfig, Field } from 'payload'

import type { ResolvedOptions } from '../options.js'

import { adminGroup } from './adminGroup.js'
import { recipientStatuses } from './campaignStatuses.js'
import { engineFields } from './engineFields.js'

const timestamp = (name: string): Field => ({
  name,
  type: 'date',
  admin: { date: { pickerAppearance: 'dayAndTime' } },
  index: name === 'sentAt',
})

/** Written by the engine and webhooks only; the admin shows them read-only. */
export const recipientsCollection = (options: ResolvedOptions): CollectionConfig => ({
  slug: options.slugs.recipients,
  access: {
    create: () => false,
    delete: () => false,
    read: options.access.read,
    update: () => false,
  },
  admin: {
    defaultColumns: ['phoneNumber', 'name', 'status', 'sentAt', 'errorMessage', 'campaign'],
    group: adminGroup,
    listSearchableFields: ['phoneNumber', 'name', 'messageId'],
    useAsTitle: 'phoneNumber',
  },
  defaultSort: '-sentAt',
  fields: [
    {
      name: 'campaign',
      type: 'relationship',
      index: true,
      relationTo: options.slugs.campaigns,
      required: true,
    },
    { name: 'phoneNumber', type: 'text', index: true, required: true },
    { name: 'name', type: 'text' },
    { name: 'parameters', type: 'json' },
    {
      name: 'status',
      type: 'select',
      defaultValue: 'pending',
      index: true,
      options: [...recipientStatuses],
      required: true,
    },
    { name: 'messageId', type: 'text', index: true },
    { name: 'errorMessage', type: 'text' },
    { name: 'errorCode', type: 'number' },
    {
      name: 'retryable',
      type: 'checkbox',
      admin: { description: 'The failure was temporary: "Retry failed" sends it again.' },
    },
    timestamp('sentAt'),
    timestamp('deliveredAt'),
    timestamp('readAt'),
    timestamp('failedAt'),
    {
      name: 'retryNotBefore',
      type: 'date',
      admin: {
        date: { pickerAppearance: 'dayAndTime' },
        description:
          'Meta\'s per-user marketing limit (131049): "Retry failed" resends it from then.',
      },
    },
    {
      name: 'repliedAt',
      type: 'date',
      admin: {
        date: { pickerAppearance: 'dayAndTime' },
        description: 'When the person first answered this message (a reply or a button tap).',
      },
      index: true,
    },
    { name: 'replyText', type: 'text', admin: { description: 'Their first answer.' } },
    {
      name: 'replyButton',
      type: 'text',
      admin: { description: 'The quick-reply button of their first answer (payload, or text).' },
      index: true,
    },
    {
      name: 'pricingCategory',
      type: 'text',
      admin: {
        description:
          "Meta's pricing category of the message (MARKETING, UTILITY, ...), from its status webhooks.",
      },
    },
    {
      name: 'billable',
      type: 'checkbox',
      admin: { description: 'Meta bills this message (its status webhooks said so).' },
    },
    { name: 'attempts', type: 'number', defaultValue: 0 },
    {
      // Counted by the frequency cap: MARKETING messages a phone got recently, across campaigns.
      name: 'templateCategory',
      type: 'text',
      admin: { description: "The template's category when the campaign started sending." },
    },
    ...engineFields([
      // The claim a worker holds on a recipient while sending, and when it took it.
      { name: 'claimToken', type: 'text', index: true },
      { name: 'claimedAt', type: 'date' },
      // Which write last moved the recipient: tells a retried write whether its first try landed.
      { name: 'outcomeOp', type: 'text', index: true },
      { name: 'statusOps', type: 'json' },
      // The webhook applier's recent batch moves (op, from, to): a batch cut short is finished from them (MongoDB).
      { name: 'statusMoves', type: 'json' },
      // The time of the status whose pricing the recipient holds: a later one's wins.
      { name: 'pricingAt', type: 'date' },
    ]),
  ],
  indexes: [
    { fields: ['campaign', 'status'] },
    { fields: ['campaign', 'phoneNumber'], unique: true },
  ],
  labels: { plural: 'Campaign recipients', singular: 'Campaign recipient' },
})
