'use client'
import { Button, toast, useConfig, useDocumentInfo } from '@payloadcms/ui'
import React, { useState } from 'react'

import { retargetOutcomes } from '../../collections/campaignStatuses.js'

type Choice = { button?: string; label: string; outcome: keyof typeof retargetOutcomes }

const outcomeChoices: Choice[] = (
  ['delivered_not_read', 'sent_not_delivered', 'read', 'replied', 'failed_retryable'] as const
).map((outcome) => ({ label: retargetOutcomes[outcome].label, outcome }))

/**
 * One click to a draft follow-up campaign (same account and template, the earlier values mapped)
 * to this campaign's recipients with an outcome; Run now and Send do the rest.
 */
export const FollowUp: React.FC<{ base: string; buttons: string[] }> = ({ base, buttons }) => {
  const {
    config: {
      routes: { admin },
    },
  } = useConfig()
  const { collectionSlug } = useDocumentInfo()
  const [busy, setBusy] = useState(false)
  const choices: Choice[] = [
    ...outcomeChoices,
    ...buttons.map((button) => ({
      button,
      label: `Tapped “${button}”`,
      outcome: 'tapped_button' as const,
    })),
  ]
  const followUp = async ({ button, outcome }: Choice) => {
    setBusy(true)
    try {
      const response = await fetch(`${base}/follow-up`, {
        body: JSON.stringify({ button, outcome }),
        credentials: 'include',
        headers: { 'Content-Type': 'application/json' },
        method: 'POST',
      })
      const body = (await response.json()) as { error?: string; id?: string }
      if (!response.ok || !body.id) {
        toast.error(body.error ?? 'Could not create the follow-up.')
        return
      }
      window.location.assign(`${admin}/collections/${collectionSlug}/${body.id}`)
    } finally {
      setBusy(false)
    }
  }
  return (
    <div data-testid="follow-up">
      <p className="wa-muted">Follow up (a draft to review, then Run) with those who:</p>
      <div className="wa-actions">
        {choices.map((choice) => (
          <Button
            buttonStyle="secondary"
            disabled={busy}
            key={`${choice.outcome}-${choice.button ?? ''}`}
            onClick={() => void followUp(choice)}
            size="small"
          >
            {choice.label}
          </Button>
        ))}
      </div>
    </div>
  )
}
