import type { CollectionAfterChangeHook, CollectionAfterDeleteHook, Config, Payload } from 'payload'

import type { WhatsAppCampaignsPluginOptions } from './options.js'
import type { WebhookReceiver, WebhookReceiverOptions } from './webhooks/receiver.js'

import { deleteRecipientsWithCampaign, rescheduleOnEdit } from './campaigns/campaignHooks.js'
import { campaignQueue, runWorker as runCampaignWorker } from './campaigns/campaignQueue.js'
import { pluginCollections } from './collections/index.js'
import {
  audienceSummaryEndpoint,
  campaignAnalyticsEndpoint,
  globalAnalyticsEndpoint,
} from './endpoints/analyticsEndpoints.js'
import { audiencePreviewEndpoint } from './endpoints/audiencePreviewEndpoint.js'
import { campaignEndpoints } from './endpoints/campaignEndpoints.js'
import { exportRecipientsEndpoint } from './endpoints/exportRecipients.js'
import { startWebhookApplier, stopCampaignQueueOnSignal, wakeWebhookApplier } from './jobs/index.js'
import { resolveOptions } from './options.js'
import { forgetWebhookAccounts } from './webhooks/accounts.js'
import { applyWebhookEvents } from './webhooks/applyEvents.js'
import { webhookEndpoints } from './webhooks/endpoints.js'
import { serveWebhooks } from './webhooks/receiver.js'
import { syncTemplatesEndpoint } from './webhooks/syncTemplates.js'

export {
  CampaignActionError,
  cancelCampaign,
  pauseCampaign,
  resumeCampaign,
  retryCampaign,
  runCampaign,
} from './campaigns/actions.js'
export { wakeWaitingCampaigns } from './campaigns/campaignQueue.js'
export { stopCampaignQueue } from './jobs/index.js'
export type {
  CollectionOverride,
  FieldsOverride,
  FrequencyCapOptions,
  NamedAudience,
  RateCard,
  WhatsAppCampaignsPluginOptions,
} from './options.js'
export { defaultSlugs } from './options.js'
export { defaultOptOutKeywords } from './webhooks/optOutKeywords.js'
export type { WebhookReceiver, WebhookReceiverOptions } from './webhooks/receiver.js'
export { syncMessagingLimit } from './webhooks/syncMessagingLimit.js'
export { syncTemplates } from './webhooks/syncTemplates.js'

/**
 * Receives Meta's webhooks on a port of its own, outside Next.js (README "High-volume
 * webhooks"): the endpoint's checks and answers at a fraction of its CPU per request.
 */
export const startWebhookReceiver = (
  payload: Payload,
  options: WebhookReceiverOptions,
): Promise<WebhookReceiver> => serveWebhooks(payload, wakeWebhookApplier, options)

export type RunWorkerOptions = {
  /**
   * Also receive Meta's webhooks on a port of their own, as `startWebhookReceiver` does, closed
   * gracefully when the process stops. With it, a process that is not a worker
   * (WHATSAPP_CAMPAIGNS_WORKER=false) only receives webhooks.
   */
  webhooks?: WebhookReceiverOptions
}

/**
 * Keeps this process working campaign jobs (README "Workers"), and receiving webhooks with
 * `webhooks`, until SIGINT/SIGTERM; then it stops taking webhooks and answers those in progress,
 * finishes and records the sends in flight, gives back what it holds, and exits.
 */
export const runWorker = (payload: Payload, { webhooks }: RunWorkerOptions = {}): Promise<void> =>
  runCampaignWorker(payload, webhooks && (() => startWebhookReceiver(payload, webhooks)))

export const whatsappCampaignsPlugin =
  (pluginOptions: WhatsAppCampaignsPluginOptions = {}) =>
  (config: Config): Config => {
    const options = resolveOptions(pluginOptions, config.admin?.user ?? 'users')

    const ours = pluginCollections(options)
    // The collections are added even when disabled, so the database schema stays consistent.
    if (!options.enabled) {
      return { ...config, collections: [...(config.collections ?? []), ...ours] }
    }

    for (const collection of ours) {
      if (collection.slug === options.slugs.accounts) {
        // The webhook endpoint's account table (secrets decrypted once) is reloaded on change.
        const forget: CollectionAfterChangeHook & CollectionAfterDeleteHook = ({ req }) =>
          forgetWebhookAccounts(req.payload)
        collection.hooks = {
          ...collection.hooks,
          afterChange: [...(collection.hooks?.afterChange ?? []), forget],
          afterDelete: [...(collection.hooks?.afterDelete ?? []), forget],
        }
      }
      if (collection.slug === options.slugs.templates) {
        collection.endpoints = [...(collection.endpoints || []), syncTemplatesEndpoint(options)]
      }
      if (collection.slug === options.slugs.campaigns) {
        collection.endpoints = [
          ...(collection.endpoints || []),
          audiencePreviewEndpoint(options),
          ...campaignEndpoints(options),
          campaignAnalyticsEndpoint(options),
          audienceSummaryEndpoint(options),
          exportRecipientsEndpoint(options),
        ]
        collection.hooks = {
          ...collection.hooks,
          afterChange: [...(collection.hooks?.afterChange ?? []), rescheduleOnEdit],
          beforeDelete: [...(collection.hooks?.beforeDelete ?? []), deleteRecipientsWithCampaign],
        }
      }
    }

    return {
      ...config,
      admin: {
        ...config.admin,
        components: {
          ...config.admin?.components,
          afterNavLinks: [
            ...(config.admin?.components?.afterNavLinks ?? []),
            'payload-plugin-whatsapp-campaigns/client#AnalyticsNavLink',
          ],
          views: {
            ...config.admin?.components?.views,
            whatsappAnalytics: {
              Component: 'payload-plugin-whatsapp-campaigns/rsc#AnalyticsView',
              path: '/whatsapp/analytics',
            },
          },
        },
      },
      collections: [...(config.collections ?? []), ...ours],
      custom: { ...config.custom, whatsappCampaigns: options },
      endpoints: [
        ...(config.endpoints ?? []),
        globalAnalyticsEndpoint(options),
        ...webhookEndpoints(options, wakeWebhookApplier),
      ],
      onInit: async (payload) => {
        await config.onInit?.(payload)
        // Starts the worker (Agenda) or re-arms inline schedules left by a restart.
        await campaignQueue(payload)
        // One process at a time (a lease) applies the webhook events the endpoint logs.
        startWebhookApplier(payload, applyWebhookEvents)
        // A deploy's SIGTERM hands this process's campaigns and lease back (README "Workers").
        stopCampaignQueueOnSignal(payload)
      },
    }
  }
