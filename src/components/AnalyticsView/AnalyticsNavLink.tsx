'use client'
import { Link, useConfig } from '@payloadcms/ui'
import React from 'react'

/** Adds the analytics view to the admin navigation. */
export const AnalyticsNavLink: React.FC = () => {
  const {
    config: {
      routes: { admin },
    },
  } = useConfig()
  return (
    <Link className="nav__link" href={`${admin}/whatsapp/analytics`} id="nav-whatsapp-analytics">
      <span className="nav__link-label">WhatsApp analytics</span>
    </Link>
  )
}
