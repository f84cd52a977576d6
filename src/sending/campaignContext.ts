import type { Payload } from 'payload'

import type { AudienceQuery } from '../audience/registry.js'
import type { ResolvedOptions } from '../options.js'

import { relationId } from '../collections/relationId.js'
import { getPluginOptions } from '../pluginContext.js'

export type CampaignDoc = {
  audienceFilters?: unknown
  audienceType: string
  csvFile?: unknown
  id: number | string
  materializedAt?: null | string
  name: string
  parameterMappings?: null | Record<string, string>
  retargetButton?: null | string
  retargetCampaign?: unknown
  retargetOutcome?: null | string
  scheduledAt?: null | string
  status: string
} & Record<string, unknown>

export type AccountDoc = {
  accessToken?: null | string
  id: number | string
  messagesPerSecond?: null | number
  messagingLimit?: null | string
  name: string
  phoneNumberId: string
  portfolioId?: null | string
  wabaId: string
}

export type TemplateDoc = {
  category?: null | string
  components?: null | unknown[]
  id: number | string
  language: string
  name: string
  status: string
}

export type CampaignContext = {
  account?: AccountDoc
  campaign: CampaignDoc
  options: ResolvedOptions
  template?: TemplateDoc
}

/** The campaign with its account (secrets included: server-side only) and template. */
export const loadCampaignContext = async (
  payload: Payload,
  campaignId: number | string,
): Promise<CampaignContext> => {
  const options = getPluginOptions(payload)
  const campaign = (await payload.findByID({
    id: campaignId,
    collection: options.slugs.campaigns,
    depth: 0,
  })) as unknown as CampaignDoc
  const accountId = relationId(campaign.account)
  const templateId = relationId(campaign.template)
  const [account, template] = await Promise.all([
    accountId
      ? (payload
          .findByID({
            id: accountId,
            collection: options.slugs.accounts,
            depth: 0,
            disableErrors: true,
            showHiddenFields: true,
          })
          .then((doc) => doc ?? undefined) as Promise<AccountDoc | undefined>)
      : undefined,
    templateId
      ? (payload
          .findByID({
            id: templateId,
            collection: options.slugs.templates,
            depth: 0,
            disableErrors: true,
          })
          .then((doc) => doc ?? undefined) as Promise<TemplateDoc | undefined>)
      : undefined,
  ])
  return { account, campaign, options, template }
}

/** The campaign's audience as the audience registry reads it. */
export const audienceQuery = (payload: Payload, context: CampaignContext): AudienceQuery => ({
  accountId: context.account ? String(context.account.id) : undefined,
  campaign: context.campaign,
  csvFile: relationId(context.campaign.csvFile),
  filters: context.campaign.audienceFilters,
  payload,
  retarget: {
    button: context.campaign.retargetButton ?? undefined,
    campaign: relationId(context.campaign.retargetCampaign),
    outcome: context.campaign.retargetOutcome ?? undefined,
  },
})
