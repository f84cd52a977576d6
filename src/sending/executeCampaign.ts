import type { Payload } from 'payload'

import { applyErrorSignals } from '../audience/contactSignals.js'
import { estimateCost } from '../audience/costEstimate.js'
import { audienceEntry } from '../audience/registry.js'
import { buildSendComponents } from '../audience/renderComponents.js'
import { sendThreadReady } from '../meta/sendThread.js'
import { getPluginOptions } from '../pluginContext.js'
import { createRetryTransient, getStore, isTransientDatabaseError } from '../store/index.js'
import { audienceQuery, loadCampaignContext } from './campaignContext.js'
import { findExcludedPhones } from './excludedPhones.js'
import { frequencyCapCheck } from './frequencyCap.js'
import { createGraphSender } from './graphSender.js'
import { materializeAudience } from './materialize.js'
import { messagingLimitOf, portfolioOf } from './messagingLimit.js'
import { runSendLoop } from './sendLoop.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** How a run ended, when it ended the campaign's run (a pause or cancel by a user is not one). */
export type RunEnd =
  | { error: string; kind: 'failed' }
  | { error: string; kind: 'paused'; scope: PauseScope }
  | { kind: 'completed' }
  /** The portfolio's messaging limit is reached: the campaign stays running and goes on at `resumeAt` (clock time). */
  | { kind: 'waiting'; resumeAt: Date }

/**
 * Which running campaigns a guardrail pauses: every one on the campaign's account (Meta stopped
 * the account or number), every one using its template, or just this one (the error-rate breaker).
 */
export type PauseScope = 'account' | 'campaign' | 'template'

export type ExecuteOptions = {
  /**
   * Moves the campaign out of running (the caller owns the status rules). Called inside the
   * run, so a database outage while it writes starts the run over like any other.
   */
  end: (end: RunEnd) => Promise<void>
  /** Aborted when this process stops: sending stops as on a pause, the campaign stays running. */
  stopping?: AbortSignal
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
  options: ExecuteOptions,
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
  { end, stopping, touch }: ExecuteOptions,
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
    const excludedFor = { accountId: String(account.id), category: template.category }
    // Meta may move the template to another category mid-run (template_category_update):
    // each batch is checked against the category it has when claimed.
    const currentCategory = async () => {
      const now = await payload.findByID({
        id: template.id,
        collection: options.slugs.templates,
        depth: 0,
        disableErrors: true,
        select: { category: true },
      })
      return now ? (now.category as null | string | undefined) : template.category
    }
    if (!campaign.materializedAt) {
      const audience = audienceEntry(options, campaign.audienceType)
      const { pendingByCallingCode } = await materializeAudience({
        campaignId,
        defaultCountryCode: options.defaultCountryCode,
        excludedPhones: await findExcludedPhones(payload, options, excludedFor),
        nameField: audience.nameField,
        overCap: frequencyCapCheck(store, options, campaignId, template.category),
        parameterMappings: campaign.parameterMappings ?? {},
        phoneField: audience.phoneField,
        rows: audience.rows(audienceQuery(payload, context)),
        store,
        templateCategory: template.category ?? undefined,
        templateComponents: template.components ?? [],
      })
      await store.updateCampaign(campaignId, {
        costEstimate: options.rateCard
          ? estimateCost(options.rateCard, template.category, pendingByCallingCode)
          : null,
        materializedAt: new Date(),
      })
    }

    // Claims older than the lease belong to a worker that died mid-send.
    await store.markStaleClaimsUnknown(campaignId, new Date(Date.now() - options.claimLeaseMs))

    const limit = messagingLimitOf(account, options.clock())
    await sendThreadReady()
    const result = await runSendLoop({
      campaignId,
      errorBreaker: options.errorBreaker,
      excludedPhones: (phones) =>
        retry(async () =>
          findExcludedPhones(
            payload,
            options,
            { ...excludedFor, category: await currentCategory() },
            phones,
          ),
        ),
      language: template.language,
      messagesPerSecond: account.messagesPerSecond ?? 80,
      onBatch: touch,
      onFailed: (failed) =>
        retry(() => applyErrorSignals(payload, options, account.id, failed, new Date())),
      phoneNumberId: account.phoneNumberId,
      releaseRecipients: (reservation, phones) =>
        store.releaseRecipients(portfolioOf(account), reservation, phones),
      renderComponents: (recipient) =>
        buildSendComponents(template.components ?? [], recipient.parameters),
      reserveRecipients: limit
        ? (phones) =>
            // Counted at the clock's time of each batch.
            store.reserveRecipients(portfolioOf(account), phones, {
              ...limit,
              now: options.clock(),
            })
        : undefined,
      send: createGraphSender(options, account),
      // The Graph sender's thread fires each send at its slot: the loop hands it over this early.
      sendLeadMs: 100,
      sendTimeoutMs: options.graphTimeoutMs,
      stopping,
      store,
      templateName: template.name,
    })

    if (result.reason === 'refused') {
      const { code, kind, message } = result.refusal
      const what = kind === 'template' ? 'template' : 'account'
      await end({
        error: `Paused: Meta refused the ${what} (${code ?? 'no code'}): ${message}. Fix the ${what}, then Resume.`,
        kind: 'paused',
        scope: what,
      })
      return
    }
    if (result.reason === 'breaker') {
      await end({
        error: `Paused: ${result.breaker}. Check the audience and the account, then Resume.`,
        kind: 'paused',
        scope: 'campaign',
      })
      return
    }
    if (result.reason === 'stopped') {
      return
    }
    if (result.reason === 'waiting') {
      await end({ kind: 'waiting', resumeAt: result.resumeAt })
      return
    }
    if (await settled(payload, campaignId, options.claimLeaseMs)) {
      await end({ kind: 'completed' })
    }
  } catch (error) {
    if (isTransientDatabaseError(error)) {
      throw error
    }
    payload.logger.error({ campaignId, err: error }, 'whatsapp campaign failed')
    await end({ error: (error as Error).message, kind: 'failed' })
  }
}

/** Waits until no recipient is being sent by another worker; false when some are left pending. */
const settled = async (payload: Payload, campaignId: string, leaseMs: number) => {
  const store = getStore(payload)
  const deadline = Date.now() + leaseMs
  for (;;) {
    const counts = await store.countByStatus(campaignId)
    if (counts.pending > 0) {
      // Released by a pause, or still to send: whoever runs the campaign next sends them.
      return false
    }
    if (counts.sending === 0) {
      return true
    }
    if (Date.now() > deadline) {
      await store.markStaleClaimsUnknown(campaignId, new Date(Date.now() - leaseMs))
    }
    await sleep(500)
  }
}
