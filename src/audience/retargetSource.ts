import type { Payload, Where } from 'payload'

import type { RetargetOutcome } from '../collections/campaignStatuses.js'
import type { AudienceRow, ResolvedOptions } from '../options.js'

import { retargetableStatuses, retargetOutcomes } from '../collections/campaignStatuses.js'
import { relationId } from '../collections/relationId.js'
import { AudienceError } from './audienceError.js'
import { templateVariableKeys } from './templateVariables.js'

const pageSize = 1000

/** The earlier campaign and outcome a retargeting audience reads, as the form or campaign holds them. */
export type RetargetChoice = { button?: string; campaign?: string; outcome?: string }

const isOutcome = (value: string | undefined): value is RetargetOutcome =>
  value !== undefined && Object.hasOwn(retargetOutcomes, value)

/** Row fields of the earlier recipient's parameters: "parameters.1", "parameters.header.1". */
export const parameterField = (key: string) => `parameters.${key}`

/**
 * The earlier campaign, checked: it exists, is not the campaign being run, and has run (a
 * draft or scheduled one has no outcomes yet).
 */
export const earlierCampaign = async (args: {
  choice: RetargetChoice
  currentId: number | string
  options: ResolvedOptions
  payload: Payload
}) => {
  const { choice, currentId, options, payload } = args
  if (!choice.campaign) {
    throw new AudienceError('A retargeting audience needs an earlier campaign.')
  }
  if (!isOutcome(choice.outcome)) {
    throw new AudienceError(
      'A retargeting audience needs an outcome (sent but not delivered, delivered but not read, read, failed with a retryable error, replied, or tapped a button).',
    )
  }
  const button = choice.button?.trim()
  if ('button' in retargetOutcomes[choice.outcome] && !button) {
    throw new AudienceError('Which quick-reply button? Give its payload (or its text).')
  }
  if (String(choice.campaign) === String(currentId)) {
    throw new AudienceError('A campaign cannot retarget its own recipients.')
  }
  const doc = await payload
    .findByID({
      id: choice.campaign,
      collection: options.slugs.campaigns,
      depth: 0,
      disableErrors: true,
    })
    .catch(() => null)
  if (!doc) {
    throw new AudienceError(`The earlier campaign (${choice.campaign}) no longer exists.`)
  }
  if (!retargetableStatuses.includes(doc.status as (typeof retargetableStatuses)[number])) {
    throw new AudienceError(
      `The earlier campaign "${String(doc.name)}" is ${String(doc.status)}: it has no outcomes to retarget yet.`,
    )
  }
  return { button, doc, outcome: choice.outcome }
}

/** The row fields a retargeting audience offers: name, phone and the earlier template's variables. */
export const retargetFields = async (
  payload: Payload,
  options: ResolvedOptions,
  earlier: Record<string, unknown>,
): Promise<string[]> => {
  const templateId = relationId(earlier.template)
  const template = templateId
    ? await payload
        .findByID({
          id: templateId,
          collection: options.slugs.templates,
          depth: 0,
          disableErrors: true,
        })
        .catch(() => null)
    : null
  return ['name', 'phone', ...templateVariableKeys(template?.components).map(parameterField)]
}

/**
 * Recipients of an earlier campaign with one outcome, read a page at a time by ascending id so
 * memory stays flat however many there are. Each row carries the earlier recipient's name,
 * phone and parameters ("parameters.<variable>"), for mappings.
 */
export async function* retargetSource(args: {
  /** The quick-reply button (payload, or text) of a tapped_button outcome. */
  button?: string
  campaignId: number | string
  outcome: RetargetOutcome
  payload: Payload
  slug: string
}): AsyncGenerator<AudienceRow> {
  const { slug, button, campaignId, outcome, payload } = args
  const pick = retargetOutcomes[outcome]
  const base: Where[] = [
    { campaign: { equals: campaignId } },
    ...('status' in pick ? [{ status: { equals: pick.status } }] : []),
    ...('retryable' in pick ? [{ retryable: { equals: true } }] : []),
    ...('replied' in pick ? [{ repliedAt: { exists: true } }] : []),
    // A recipient counts under their first answer's button.
    ...('button' in pick ? [{ replyButton: { equals: button } }] : []),
  ]
  let after: number | string | undefined
  for (;;) {
    const { docs } = await payload.find({
      collection: slug,
      depth: 0,
      limit: pageSize,
      pagination: false,
      select: { name: true, parameters: true, phoneNumber: true },
      sort: 'id',
      where: { and: [...base, ...(after === undefined ? [] : [{ id: { greater_than: after } }])] },
    })
    for (const doc of docs) {
      const parameters =
        doc.parameters && typeof doc.parameters === 'object' && !Array.isArray(doc.parameters)
          ? (doc.parameters as Record<string, unknown>)
          : {}
      yield {
        ...Object.fromEntries(
          Object.entries(parameters).map(([key, value]) => [parameterField(key), value]),
        ),
        name: doc.name,
        // Stored as E.164 digits: "+" keeps them international whatever the default calling code.
        phone: `+${String(doc.phoneNumber)}`,
      }
    }
    if (docs.length < pageSize) {
      return
    }
    after = docs[docs.length - 1].id
  }
}
