'use client'
import { Button, toast } from '@payloadcms/ui'
import { useRouter } from 'next/navigation.js'
import React, { useState } from 'react'

import { useApiUrl } from '../shared/usePolling.js'

type SyncResult = {
  created: number
  error?: string
  errors?: string[]
  limitErrors?: string[]
  limitsSynced?: number
  updated: number
}

/**
 * Above the templates list: pulls every account's templates (and messaging limit) from Meta,
 * then reloads the list.
 */
export const SyncTemplatesButton: React.FC<{ templatesSlug: string }> = ({ templatesSlug }) => {
  const apiUrl = useApiUrl()
  const router = useRouter()
  const [busy, setBusy] = useState(false)

  const sync = async () => {
    setBusy(true)
    try {
      const response = await fetch(apiUrl(`/${templatesSlug}/sync`), {
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        method: 'POST',
      })
      const body = (await response.json()) as SyncResult
      if (!response.ok) {
        toast.error(body.error ?? `Sync failed (HTTP ${response.status}).`)
        return
      }
      toast.success(
        `Templates synced: ${body.created} new, ${body.updated} updated. Messaging limits read for ${body.limitsSynced ?? 0} accounts.`,
      )
      for (const message of [...(body.errors ?? []), ...(body.limitErrors ?? [])]) {
        toast.error(message)
      }
      router.refresh()
    } catch (error) {
      toast.error(`Sync failed: ${(error as Error).message}`)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="wa-toolbar wa-toolbar--end">
      <Button
        buttonStyle="secondary"
        disabled={busy}
        margin={false}
        onClick={() => void sync()}
        size="small"
      >
        {busy ? 'Syncing…' : 'Sync templates'}
      </Button>
    </div>
  )
}
