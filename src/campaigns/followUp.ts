import type { PayloadRequest } from 'payload'

import { templateVariableKeys } from '../audience/templateVariables.js'
import {
  retargetableStatuses,
  type RetargetOutcome,
  retargetOutcomes,
} from '../collections/campaignStatuses.js'
import { relationId } from '../collections/relationId.js'
import { getPluginOptions } from '../pluginContext.js'
import { CampaignActionError } from './actions.js'

const isOutcome = (value: unknown): value is RetargetOutcome =>
  typeof value === 'string' && Object.hasOwn(retargetOutcomes, value)

/**
 * A draft campaign to the recipients of `campaignId` with one outcome: same account and
 * template, each variable mapped to the earlier recipient's own value, so Run sends it as is.
 * Created as the requesting user (the collection's create access applies).
 */
export const createFollowUp = async (
  req: PayloadRequest,
  campaignId: string,
  { button, outcome }: { button?: unknown; outcome?: unknown },
): Promise<{ id: string }> => {
  const { payload } = req
  const { slugs } = getPluginOptions(payload)
  if (!isOutcome(outcome)) {
    throw new CampaignActionError(
      `Give the outcome to follow up: one of ${Object.keys(retargetOutcomes).join(', ')}.`,
      400,
    )
  }
  const tapped = typeof button === 'string' ? button.trim() : ''
  if (outcome === 'tapped_button' && !tapped) {
    throw new CampaignActionError('Give the quick-reply button to follow up.', 400)
  }
  const earlier = await payload.findByID({
    id: campaignId,
    collection: slugs.campaigns,
    depth: 0,
    disableErrors: true,
  })
  if (!earlier) {
    throw new CampaignActionError(`Campaign ${campaignId} not found.`, 404)
  }
  if (!retargetableStatuses.includes(earlier.status)) {
    throw new CampaignActionError(
      `Campaign ${campaignId} is ${earlier.status}: only a campaign that has sent has outcomes to follow up.`,
      409,
    )
  }
  const templateId = relationId(earlier.template)
  const template = templateId
    ? await payload.findByID({
        id: templateId,
        collection: slugs.templates,
        depth: 0,
        disableErrors: true,
      })
    : null
  const parameterMappings = Object.fromEntries(
    templateVariableKeys(template?.components).map((key) => [key, `parameters.${key}`]),
  )
  const doc = await payload.create({
    collection: slugs.campaigns,
    data: {
      name: `${earlier.name} — follow-up: ${retargetOutcomes[outcome].label.toLowerCase()}${tapped ? ` “${tapped}”` : ''}`,
      // The earlier campaign's own values, ids typed as this database has them.
      account: earlier.account,
      audienceType: 'retarget',
      parameterMappings,
      retargetButton: tapped || undefined,
      retargetCampaign: earlier.id,
      retargetOutcome: outcome,
      template: earlier.template,
    },
    overrideAccess: false,
    req,
  })
  return { id: String(doc.id) }
}
