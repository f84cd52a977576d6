import type { AdminViewServerProps } from 'payload'

import { DefaultTemplate } from '@payloadcms/next/templates'
import { Gutter } from '@payloadcms/ui'
import { redirect } from 'next/navigation.js'
import React from 'react'

import { hasAccess } from '../../endpoints/checkAccess.js'
import { getPluginOptions } from '../../pluginContext.js'
import { AnalyticsDashboard } from './AnalyticsDashboard.js'

/** /admin/whatsapp/analytics. Custom views are public by default: this one checks the user. */
export const AnalyticsView = async ({
  initPageResult,
  params,
  searchParams,
}: AdminViewServerProps) => {
  const { req } = initPageResult
  const adminRoute = req.payload.config.routes.admin
  if (!req.user) {
    redirect(
      `${adminRoute}/login?redirect=${encodeURIComponent(`${adminRoute}/whatsapp/analytics`)}`,
    )
  }
  const allowed = await hasAccess(getPluginOptions(req.payload).access.read, req)
  return (
    <DefaultTemplate
      i18n={req.i18n}
      locale={initPageResult.locale}
      params={params}
      payload={req.payload}
      permissions={initPageResult.permissions}
      searchParams={searchParams}
      user={req.user || undefined}
      visibleEntities={initPageResult.visibleEntities}
    >
      <Gutter>
        <h1>WhatsApp analytics</h1>
        <p className="wa-muted">Sent, delivered, read and failed across completed campaigns.</p>
        {allowed ? <AnalyticsDashboard /> : <p>You are not allowed to see campaign analytics.</p>}
      </Gutter>
    </DefaultTemplate>
  )
}
