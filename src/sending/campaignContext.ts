import type { Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'

import { relationId } from '../collections/relationId.js'
import { getPluginOptions } from '../pluginContext.js'

export type CampaignDoc = Record<string, unknown> & {
  audienceFilters?: unknown
  audienceType: string
  csvFile?: unknown
  id: number | string
  materializedAt?: null | string
  name: string
  parameterMappings?: Record<string, string> | null
  scheduledAt?: null | string
  status: string
}

export type AccountDoc = {
  accessToken?: null | string
  id: number | string
  messagesPerSecond?: null | number
  name: string
  phoneNumberId: string
  wabaId: string
}

export type TemplateDoc = {
  components?: unknown[] | null
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
    collection: options.slugs.campaigns,
    depth: 0,
    id: campaignId,
  })) as unknown as CampaignDoc
  const accountId = relationId(campaign.account)
  const templateId = relationId(campaign.template)
  const [account, template] = await Promise.all([
    accountId
      ? (payload
          .findByID({
            collection: options.slugs.accounts,
            depth: 0,
            disableErrors: true,
            id: accountId,
            showHiddenFields: true,
          })
          .then((doc) => doc ?? undefined) as Promise<AccountDoc | undefined>)
      : undefined,
    templateId
      ? (payload
          .findByID({
            collection: options.slugs.templates,
            depth: 0,
            disableErrors: true,
            id: templateId,
          })
          .then((doc) => doc ?? undefined) as Promise<TemplateDoc | undefined>)
      : undefined,
  ])
  return { account, campaign, options, template }
}
