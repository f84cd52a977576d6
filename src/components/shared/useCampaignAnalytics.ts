'use client'
import { useDocumentInfo } from '@payloadcms/ui'

import type { CampaignAnalytics } from '../../analytics/campaignAnalytics.js'

import { useApiUrl, usePolling } from './usePolling.js'

/** `actions`: what this user may do to the campaign now (the server's transition table). */
export type LiveCampaign = { actions: string[]; canRun: boolean } & CampaignAnalytics

/** The open campaign's live figures, polled from /api/<campaigns>/:id/analytics. */
export const useCampaignAnalytics = () => {
  const { id, collectionSlug } = useDocumentInfo()
  const apiUrl = useApiUrl()
  const base = id ? apiUrl(`/${collectionSlug}/${id}`) : null
  return { id, base, ...usePolling<LiveCampaign>(base ? `${base}/analytics` : null) }
}
