import type { Payload } from 'payload'

import { renderTemplateComponents } from '../audience/renderComponents.js'
import { getPluginOptions } from '../pluginContext.js'
import { getStore } from '../store/index.js'
import { createRetryTransient, isTransientDatabaseError } from '../store/transientErrors.js'
import { audienceRows } from './audienceRows.js'
import { loadCampaignContext } from './campaignContext.js'
import { findExcludedPhones } from './excludedPhones.js'
import { createGraphSender } from './graphSender.js'
import { materializeAudience } from './materialize.js'
import { runSendLoop } from './sendLoop.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export type ExecuteOptions = {
  /** Keeps the queue's lock on the job alive during long campaigns. */
  touch?: () => Promise<void>
}

/**
 * Does the work of a running campaign: materializes its audience once, then sends until
 * nothing is pending, the campaign is paused or cancelled, or Meta refuses the account.
 * Safe to run twice at once for one campaign: every recipient is claimed atomically.
 * While the database stays unreachable the campaign is not failed: it starts over once the
 * database is back, and claims left behind become unknown after their lease.
 */
export const executeCampaign = async (
  payload: Payload,
  campaignId: string,
  options: ExecuteOptions = {},
): Promise<void> => {
  for (;;) {
    try {
      return await executeOnce(payload, campaignId, options)
    } catch (error) {
      if (!isTransientDatabaseError(error)) {
        throw error
      }
      payload.logger.warn(
        { campaignId, err: error },
        'whatsapp campaign: database unreachable; starting over when it is back',
      )
      await sleep(2000)
    }
  }
}

const executeOnce = async (
  payload: Payload,
  campaignId: string,
  { touch }: ExecuteOptions,
): Promise<void> => {
  const store = getStore(payload)
  const retry = createRetryTransient(payload.logger, getPluginOptions(payload).databaseRetryMs)
  const context = await retry(() => loadCampaignContext(payload, campaignId))
  const { account, campaign, options, template } = context
  if (campaign.status !== 'running') {
    return
  }
  try {
    if (!account || !template) {
      throw new Error('The campaign lost its account or template.')
    }
    if (!campaign.materializedAt) {
      const audience = audienceRows(payload, context)
      await materializeAudience({
        ...audience,
        campaignId,
        defaultCountryCode: options.defaultCountryCode,
        excludedPhones: await findExcludedPhones(payload, options, String(account.id)),
        parameterMappings: campaign.parameterMappings ?? {},
        store,
        templateComponents: template.components ?? [],
      })
      await store.updateCampaign(campaignId, { materializedAt: new Date() })
    }

    // Claims older than the lease belong to a worker that died mid-send.
    await store.markStaleClaimsUnknown(campaignId, new Date(Date.now() - options.claimLeaseMs))

    const result = await runSendLoop({
      campaignId,
      excludedPhones: (phones) =>
        retry(() => findExcludedPhones(payload, options, String(account.id), phones)),
      language: template.language,
      messagesPerSecond: account.messagesPerSecond ?? 80,
      onBatch: touch,
      phoneNumberId: account.phoneNumberId,
      renderComponents: (recipient) => {
        // Parameters were rendered at materialization, keyed by variable: map each to itself.
        const keys = Object.keys(recipient.parameters)
        const rendered = renderTemplateComponents({
          components: template.components ?? [],
          parameterMappings: Object.fromEntries(keys.map((k) => [k, k])),
          row: recipient.parameters,
        })
        return rendered.ok ? rendered.components : []
      },
      send: createGraphSender(options, account),
      store,
      templateName: template.name,
    })

    if (result.reason === 'account-error') {
      await store.transition(campaignId, ['running'], {
        error: `Paused: Meta refused the account (${result.accountError.code ?? 'no code'}): ${result.accountError.message}. Fix the account, then Resume.`,
        pausedAt: new Date(),
        status: 'paused',
      })
      return
    }
    if (result.reason === 'stopped') {
      return
    }
    await finishWhenSettled(payload, campaignId, options.claimLeaseMs)
  } catch (error) {
    if (isTransientDatabaseError(error)) {
      throw error
    }
    payload.logger.error({ campaignId, err: error }, 'whatsapp campaign failed')
    await store.transition(campaignId, ['running'], {
      error: (error as Error).message,
      status: 'failed',
    })
  }
}

/** Completes the campaign once no recipient is pending or being sent by another worker. */
const finishWhenSettled = async (payload: Payload, campaignId: string, leaseMs: number) => {
  const store = getStore(payload)
  const deadline = Date.now() + leaseMs
  for (;;) {
    const counts = await store.countByStatus(campaignId)
    if (counts.pending > 0) {
      // Released by a pause, or still to send: whoever runs the campaign next sends them.
      return
    }
    if (counts.sending === 0) {
      await store.transition(campaignId, ['running'], {
        completedAt: new Date(),
        status: 'completed',
      })
      return
    }
    if (Date.now() > deadline) {
      await store.markStaleClaimsUnknown(campaignId, new Date(Date.now() - leaseMs))
    }
    await sleep(500)
  }
}
