'use client'
import { useForm, useFormFields } from '@payloadcms/ui'
import { useEffect } from 'react'

import type { CampaignDates } from '../../collections/campaignStatuses.js'

import { campaignDateFields } from '../../collections/campaignStatuses.js'

/**
 * Keeps the sidebar's read-only Started / Paused / Completed at fields in step with the polled
 * campaign, so they fill in as the live status moves instead of after a reload. They are set as
 * value and initial value both: the engine changed them, not the editor, so the form stays
 * unmodified (no "unsaved changes").
 */
export const useLiveCampaignDates = (live: CampaignDates | undefined) => {
  const { dispatchFields } = useForm()
  const startedAt = useFormFields(([fields]) => fields.startedAt)
  const pausedAt = useFormFields(([fields]) => fields.pausedAt)
  const completedAt = useFormFields(([fields]) => fields.completedAt)

  useEffect(() => {
    if (!live) {
      return
    }
    const current = { completedAt, pausedAt, startedAt }
    const changed = campaignDateFields.filter(
      (name) => current[name] && (current[name].value ?? null) !== live[name],
    )
    if (changed.length > 0) {
      dispatchFields({
        type: 'UPDATE_MANY',
        formState: Object.fromEntries(
          changed.map((name) => [
            name,
            { ...current[name], initialValue: live[name], value: live[name] },
          ]),
        ),
      })
    }
  }, [live, dispatchFields, startedAt, pausedAt, completedAt])
}
