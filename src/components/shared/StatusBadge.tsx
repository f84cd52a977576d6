'use client'
import { Pill } from '@payloadcms/ui'
import React from 'react'

type PillStyle = NonNullable<React.ComponentProps<typeof Pill>['pillStyle']>

const styles: Record<string, PillStyle> = {
  APPROVED: 'success',
  cancelled: 'light-gray',
  completed: 'success',
  delivered: 'success',
  DISABLED: 'error',
  failed: 'error',
  PAUSED: 'warning',
  paused: 'warning',
  PENDING: 'warning',
  read: 'success',
  REJECTED: 'error',
  running: 'dark',
  scheduled: 'light',
  sending: 'dark',
  unknown: 'warning',
}

/** A coloured status pill, for list cells (Payload passes `cellData`) and the plugin's panels. */
export const StatusBadge: React.FC<{ cellData?: unknown }> = ({ cellData }) =>
  typeof cellData === 'string' && cellData ? (
    <span className="wa-badge" data-status={cellData} data-testid="status-badge">
      <Pill pillStyle={styles[cellData] ?? 'light-gray'} size="small">
        {cellData}
      </Pill>
    </span>
  ) : null
