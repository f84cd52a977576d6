'use client'
import { Button, ConfirmationModal, toast, useFormFields, useModal } from '@payloadcms/ui'
import React, { useState } from 'react'

import { StatusBadge } from '../shared/StatusBadge.js'
import { useCampaignAnalytics } from '../shared/useCampaignAnalytics.js'
import '../shared/styles.css'

type Action = 'cancel' | 'pause' | 'resume' | 'retry' | 'retry-unknown' | 'run'

const labels: Record<Action, string> = {
  cancel: 'Cancel',
  pause: 'Pause',
  resume: 'Resume',
  retry: 'Retry failed',
  'retry-unknown': 'Retry unknown',
  run: 'Run now',
}

type Summary = { audienceSize: null | number; problems: string[]; templateName: null | string }

const confirmSlug = 'whatsapp-campaign-confirm'

/** Run, Pause, Resume, Cancel and Retry, shown only when the status allows them and the user may run. */
export const CampaignControls: React.FC = () => {
  const { id, base, data, refresh } = useCampaignAnalytics()
  const scheduledAt = useFormFields(([fields]) => fields.scheduledAt?.value as string | undefined)
  const { openModal } = useModal()
  const [summary, setSummary] = useState<Summary | undefined>()
  const [busy, setBusy] = useState(false)

  if (!id || !base || !data) {
    return null
  }
  const scheduled = Boolean(scheduledAt && new Date(scheduledAt).getTime() > Date.now())
  const actions: Action[] = (() => {
    if (!data.canRun) {
      return []
    }
    switch (data.status) {
      case 'completed':
      case 'failed':
        return [
          ...(data.counts.failed > 0 ? (['retry'] as const) : []),
          ...(data.counts.unknown > 0 ? (['retry-unknown'] as const) : []),
        ]
      case 'draft':
        return ['run', 'cancel']
      case 'paused':
        return ['resume', 'cancel', ...(data.counts.failed > 0 ? (['retry'] as const) : [])]
      case 'running':
      case 'scheduled':
        return ['pause', 'cancel']
      default:
        return []
    }
  })()

  const post = async (action: Action) => {
    setBusy(true)
    try {
      const path = action === 'retry-unknown' ? 'retry' : action
      const response = await fetch(`${base}/${path}`, {
        body: JSON.stringify(action === 'retry-unknown' ? { unknown: true } : {}),
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        method: 'POST',
      })
      const body = (await response.json()) as { error?: string; status?: string }
      if (response.ok) {
        toast.success(`Campaign ${body.status ?? 'updated'}.`)
      } else {
        toast.error(body.error ?? `Could not ${labels[action].toLowerCase()}.`)
      }
      await refresh()
    } finally {
      setBusy(false)
    }
  }

  const startRun = async () => {
    setBusy(true)
    try {
      const response = await fetch(`${base}/audience`, { credentials: 'include' })
      setSummary((await response.json()) as Summary)
      openModal(confirmSlug)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="wa-panel" data-testid="campaign-controls">
      <div>
        <span className="wa-muted">Status </span>
        <StatusBadge cellData={data.status} />
      </div>
      <div className="wa-actions">
        {actions.map((action) => (
          <Button
            buttonStyle={action === 'run' || action === 'resume' ? 'primary' : 'secondary'}
            disabled={busy}
            key={action}
            onClick={() => void (action === 'run' ? startRun() : post(action))}
            size="small"
          >
            {action === 'run' && scheduled ? 'Schedule' : labels[action]}
          </Button>
        ))}
      </div>
      <ConfirmationModal
        body={
          summary && summary.problems.length > 0 ? (
            <ul className="wa-error" data-testid="run-problems">
              {summary.problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          ) : (
            <p data-testid="run-summary">
              {scheduled
                ? `Schedule for ${new Date(String(scheduledAt)).toLocaleString()}: `
                : 'Send '}
              the template <strong>{summary?.templateName}</strong> to{' '}
              <strong>{summary?.audienceSize ?? 0}</strong> audience rows? Invalid, duplicate and
              opted-out numbers are skipped.
            </p>
          )
        }
        confirmLabel={scheduled ? 'Schedule' : 'Send'}
        heading={summary?.problems.length ? 'This campaign cannot run yet' : 'Run this campaign?'}
        modalSlug={confirmSlug}
        onConfirm={() => (summary?.problems.length ? undefined : post('run'))}
      />
    </div>
  )
}
