import type { Payload, Where } from 'payload'

import type { ResolvedOptions } from '../options.js'
import type { WebhookAccount } from './accounts.js'
import type { EntryMeta } from './webhookValues.js'

import { templateCategories } from '../collections/templates.js'
import { getStore } from '../store/index.js'
import { updateIfNewer } from './updateIfNewer.js'
import { metaTime, text } from './webhookValues.js'

/**
 * Meta changed a template's category (field "template_category_update"), or announced it
 * will: then `correct_category` is the coming one and `category_update_timestamp` when.
 */
export type ParsedCategoryUpdate = {
  /** When an announced change takes effect. */
  effectiveAt?: Date
  /** Whether this announces a change instead of reporting one made. */
  impending: boolean
  language?: string
  metaId?: string
  name?: string
  /** The category the template has after the change (announced: the one it will get). */
  newCategory: string
  /** The category it had (announced: the one it still has). */
  previousCategory?: string
  raw: Record<string, unknown>
  timestamp: Date
  wabaId: string
}

export const parseCategoryUpdate = (
  value: Record<string, unknown>,
  { time, wabaId }: EntryMeta,
): ParsedCategoryUpdate => {
  const correct = text(value.correct_category)
  const upper = (s: string | undefined) => s?.toUpperCase()
  return {
    name: text(value.message_template_name),
    effectiveAt: metaTime(value.category_update_timestamp),
    impending: correct !== undefined,
    language: text(value.message_template_language),
    metaId: text(value.message_template_id),
    newCategory: upper(correct ?? text(value.new_category)) ?? '',
    previousCategory: upper(
      correct !== undefined ? text(value.new_category) : text(value.previous_category),
    ),
    raw: value,
    timestamp: time,
    wabaId,
  }
}

/** The templates an update names: by Meta's id, or by name and language, on the WABA's accounts. */
export const templatesWhere = (
  accountIds: Array<number | string>,
  update: { language?: string; metaId?: string; name?: string },
): Where => ({
  and: [
    { account: { in: accountIds } },
    {
      or: [
        ...(update.metaId ? [{ metaId: { equals: update.metaId } }] : []),
        {
          and: [
            { name: { equals: update.name ?? '' } },
            { language: { equals: update.language ?? '' } },
          ],
        },
      ],
    },
  ],
})

/** Campaigns that will still send: flagged when their template's category changes. */
const unfinished = ['scheduled', 'running', 'paused']

/**
 * A category change updates the template (category, previous category, when), unless a newer
 * change was applied already, and flags every scheduled, running or paused campaign using it
 * (`categoryChanged`, shown in the campaign view and its analytics). Nothing else is needed for
 * opt-outs: each batch is checked against the template's category as it is when claimed, so a
 * template that became MARKETING skips contacts who stopped marketing messages from then on.
 * An announced change only records the coming category and flags the campaigns.
 */
export const applyCategoryUpdates = async (
  payload: Payload,
  options: ResolvedOptions,
  updates: ParsedCategoryUpdate[],
  accounts: WebhookAccount[],
) => {
  for (const update of updates) {
    const accountIds = accounts.filter((a) => a.wabaId === update.wabaId).map((a) => a.id)
    if (
      accountIds.length === 0 ||
      !(templateCategories as readonly string[]).includes(update.newCategory)
    ) {
      payload.logger.warn(
        `whatsapp webhook: category update of "${update.name ?? update.metaId}" to "${update.newCategory}" ignored`,
      )
      continue
    }
    const { docs } = await payload.find({
      collection: options.slugs.templates,
      depth: 0,
      pagination: false,
      select: { name: true, category: true },
      where: templatesWhere(accountIds, update),
    })
    const changed: Array<number | string> = []
    for (const doc of docs) {
      const applied = await updateIfNewer(payload, {
        id: doc.id,
        clock: 'categoryUpdatedAt',
        collection: options.slugs.templates,
        data: update.impending
          ? {
              pendingCategory: update.newCategory,
              pendingCategoryAt: update.effectiveAt?.toISOString() ?? null,
            }
          : {
              category: update.newCategory,
              pendingCategory: null,
              pendingCategoryAt: null,
              previousCategory: update.previousCategory ?? doc.category ?? null,
            },
        time: update.timestamp,
      })
      if (applied) {
        changed.push(doc.id)
      }
    }
    if (changed.length === 0) {
      continue
    }
    const name = update.name ?? update.metaId
    const from = update.previousCategory ? ` from ${update.previousCategory}` : ''
    const when = (update.impending ? update.effectiveAt : undefined) ?? update.timestamp
    const optOuts =
      update.newCategory === 'MARKETING'
        ? ' Recipients not yet sent then skip contacts who stopped marketing messages.'
        : ''
    const note = update.impending
      ? `Meta will move the template "${name}"${from} to ${update.newCategory} on ${when.toISOString()}: its price changes.${optOuts}`
      : `Meta moved the template "${name}"${from} to ${update.newCategory} on ${when.toISOString()}: its price changed.${optOuts}`
    const campaigns = await payload.find({
      collection: options.slugs.campaigns,
      depth: 0,
      pagination: false,
      select: {},
      where: { and: [{ template: { in: changed } }, { status: { in: unfinished } }] },
    })
    for (const campaign of campaigns.docs) {
      await getStore(payload).updateCampaign(String(campaign.id), { categoryChanged: note })
    }
  }
}
