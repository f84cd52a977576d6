import type { Payload } from 'payload'

import type { MessagingTier } from '../meta/messagingTiers.js'

import { wakeWaitingCampaigns } from '../campaigns/campaignQueue.js'
import { createGraphClient } from '../meta/graphClient.js'
import { isMessagingTier } from '../meta/messagingTiers.js'
import { getPluginOptions } from '../pluginContext.js'

/**
 * Reads the account's messaging limit (the phone number's `whatsapp_business_manager_messaging_limit`)
 * and business portfolio (its WABA's `owner_business_info`) from Meta, stores them on the account
 * and on the other accounts of that portfolio (they share the limit), then wakes their campaigns
 * waiting for the limit: a higher tier may have room now.
 */
export const syncMessagingLimit = async (
  payload: Payload,
  { accountId }: { accountId: number | string },
): Promise<{ messagingLimit: MessagingTier; portfolioId: null | string }> => {
  const options = getPluginOptions(payload)
  const collection = options.slugs.accounts
  const account = await payload.findByID({
    id: accountId,
    collection,
    depth: 0,
    showHiddenFields: true,
  })
  if (!account.accessToken) {
    throw new Error(`The account "${String(account.name)}" has no access token.`)
  }
  const client = createGraphClient({
    accessToken: String(account.accessToken),
    apiVersion: options.graphApiVersion,
    baseUrl: options.graphApiUrl,
    timeoutMs: options.graphTimeoutMs,
  })
  const number = await client.readFields(String(account.phoneNumberId), [
    'whatsapp_business_manager_messaging_limit',
  ])
  const tier = number.whatsapp_business_manager_messaging_limit
  if (!isMessagingTier(tier)) {
    throw new Error(
      `Meta answered an unknown messaging limit for "${String(account.name)}": ${JSON.stringify(tier)}`,
    )
  }
  // Reading the owner needs business_management permission; without it the portfolio entered
  // in the admin stays.
  const waba = await client
    .readFields(String(account.wabaId), ['owner_business_info'])
    .catch(() => ({}) as Record<string, unknown>)
  const owner = (waba.owner_business_info as { id?: unknown } | undefined)?.id
  const portfolioId =
    typeof owner === 'string' && owner !== ''
      ? owner
      : typeof account.portfolioId === 'string' && account.portfolioId !== ''
        ? account.portfolioId
        : null
  await payload.update({
    id: account.id,
    collection,
    data: { messagingLimit: tier, messagingLimitSyncedAt: new Date().toISOString(), portfolioId },
  })
  const { docs: sharing } = portfolioId
    ? await payload.update({
        collection,
        data: { messagingLimit: tier },
        where: {
          and: [{ portfolioId: { equals: portfolioId } }, { id: { not_equals: account.id } }],
        },
      })
    : { docs: [] }
  await wakeWaitingCampaigns(payload, { accounts: [account.id, ...sharing.map((doc) => doc.id)] })
  return { messagingLimit: tier, portfolioId }
}
