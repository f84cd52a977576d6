'use client'
import { Button, ConfirmationModal, toast, useFormFields, useModal } from '@payloadcms/ui'
import React, { useState } from 'react'

import type { CostEstimate } from '../../audience/costEstimate.js'

import { describePace, localMoment, type Pace } from '../shared/describePace.js'
import { costEstimateText } from '../shared/format.js'
import { StatusBadge } from '../shared/StatusBadge.js'
import { useCampaignAnalytics } from '../shared/useCampaignAnalytics.js'
import '../shared/styles.css'
import { useLiveCampaignDates } from './useLiveCampaignDates.js'

/** The buttons the server may offer (its transition table's user actions). */
const labels: Record<string, string> = {
  cancel: 'Cancel',
  pause: 'Pause',
  resume: 'Resume',
  retry: 'Retry failed',
  'retry-unknown': 'Retry unknown',
  run: 'Run now',
  schedule: 'Schedule',
}

type Summary = {
  audienceSize: null | number
  costEstimate: CostEstimate | null
  pace: null | Pace
  problems: string[]
  templateName: null | string
}

const confirmSlug = 'whatsapp-campaign-confirm'

/**
 * Run, Pause, Resume, Cancel and Retry: the buttons the server lists as allowed now, from the
 * campaign's status and the user's `access.run`.
 */
export const CampaignControls: React.FC = () => {
  const { id, base, data, refresh } = useCampaignAnalytics()
  useLiveCampaignDates(data)
  const scheduledAt = useFormFields(([fields]) => fields.scheduledAt?.value as string | undefined)
  const { openModal } = useModal()
  const [summary, setSummary] = useState<Summary | undefined>()
  const [busy, setBusy] = useState(false)

  if (!id || !base || !data) {
    return null
  }
  const scheduled = Boolean(scheduledAt && new Date(scheduledAt).getTime() > Date.now())
  // The server says what this user may do now; unknown names (a newer server) are not shown.
  const actions = (data.actions ?? []).filter((action) => action in labels)

  const post = async (action: string) => {
    setBusy(true)
    try {
      // Schedule is Run on a campaign whose start time is ahead.
      const path = action === 'retry-unknown' ? 'retry' : action === 'schedule' ? 'run' : action
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
        {data.waitingUntil ? (
          <span className="wa-muted" data-testid="campaign-waiting">
            {' '}
            waiting for messaging limit — resumes at {localMoment(data.waitingUntil)}
          </span>
        ) : null}
      </div>
      <div className="wa-actions">
        {actions.map((action) => (
          <Button
            buttonStyle={
              action === 'run' || action === 'schedule' || action === 'resume'
                ? 'primary'
                : 'secondary'
            }
            disabled={busy}
            key={action}
            onClick={() =>
              void (action === 'run' || action === 'schedule' ? startRun() : post(action))
            }
            size="small"
          >
            {labels[action]}
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
            <>
              <p data-testid="run-summary">
                {scheduled
                  ? `Schedule for ${new Date(String(scheduledAt)).toLocaleString()}: `
                  : 'Send '}
                the template <strong>{summary?.templateName}</strong> to{' '}
                <strong>{summary?.audienceSize ?? 0}</strong> audience rows? Invalid, duplicate and
                opted-out numbers are skipped.
                {summary?.pace ? (
                  <span data-testid="run-pace">
                    <br />
                    {describePace(summary.audienceSize ?? 0, summary.pace)}
                  </span>
                ) : null}
              </p>
              {summary?.costEstimate ? (
                <p data-testid="run-cost-estimate">
                  Estimated cost ({summary.costEstimate.category ?? 'no category'}):{' '}
                  <strong>{costEstimateText(summary.costEstimate)}</strong>, from your rate card.
                </p>
              ) : null}
            </>
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
