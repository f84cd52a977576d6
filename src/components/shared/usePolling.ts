'use client'
import { useCallback, useEffect, useRef, useState } from 'react'

/** Fetches JSON from the API now and every `intervalMs`, so views update without a reload. */
export const usePolling = <T>(url: null | string, intervalMs = 2000) => {
  const [data, setData] = useState<T | undefined>()
  const [error, setError] = useState<string | undefined>()
  const alive = useRef(true)

  const refresh = useCallback(async () => {
    if (!url) {
      return
    }
    try {
      const response = await fetch(url, { credentials: 'include' })
      const body = (await response.json()) as { error?: string } & T
      if (!alive.current) {
        return
      }
      if (response.ok) {
        setData(body)
        setError(undefined)
      } else {
        setError(body.error ?? `HTTP ${response.status}`)
      }
    } catch (cause) {
      if (alive.current) {
        setError((cause as Error).message)
      }
    }
  }, [url])

  useEffect(() => {
    alive.current = true
    void refresh()
    const timer = setInterval(() => void refresh(), intervalMs)
    return () => {
      alive.current = false
      clearInterval(timer)
    }
  }, [refresh, intervalMs])

  return { data, error, refresh }
}
