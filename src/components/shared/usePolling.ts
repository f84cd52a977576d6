'use client'
import { useConfig } from '@payloadcms/ui'
import { useCallback, useEffect, useRef, useState } from 'react'

/** `${serverURL}${routes.api}` + path: where the plugin's components call the REST API. */
export const useApiUrl = () => {
  const {
    config: {
      routes: { api },
      serverURL,
    },
  } = useConfig()
  return useCallback((path: string) => `${serverURL}${api}${path}`, [serverURL, api])
}

type Answer = { body: { error?: string } & Record<string, unknown>; ok: boolean; status: number }

// Several fields of one form ask for the same data at once (the audience preview streams the
// whole CSV): they share one request while it is in flight.
const inFlight = new Map<string, Promise<Answer>>()

const fetchShared = (url: string, body: string | undefined): Promise<Answer> => {
  const key = `${url}\n${body ?? ''}`
  let answer = inFlight.get(key)
  if (!answer) {
    answer = fetch(url, {
      body,
      credentials: 'include',
      headers: body ? { 'content-type': 'application/json' } : undefined,
      method: body ? 'POST' : 'GET',
    })
      .then(async (response) => ({
        body: (await response.json()) as Answer['body'],
        ok: response.ok,
        status: response.status,
      }))
      .finally(() => inFlight.delete(key))
    inFlight.set(key, answer)
  }
  return answer
}

/**
 * Fetches JSON from the API now and then every `intervalMs` (0: once), so views update without
 * a reload. With a body, it is POSTed.
 */
export const usePolling = <T>(
  url: null | string,
  { body, intervalMs = 2000 }: { body?: unknown; intervalMs?: number } = {},
) => {
  const [data, setData] = useState<T | undefined>()
  const [error, setError] = useState<string | undefined>()
  const alive = useRef(true)
  const payload = body === undefined ? undefined : JSON.stringify(body)

  const refresh = useCallback(async () => {
    if (!url) {
      return
    }
    try {
      const answer = await fetchShared(url, payload)
      if (!alive.current) {
        return
      }
      if (answer.ok) {
        setData(answer.body as unknown as T)
        setError(undefined)
      } else {
        setError(answer.body.error ?? `HTTP ${answer.status}`)
      }
    } catch (cause) {
      if (alive.current) {
        setError((cause as Error).message)
      }
    }
  }, [url, payload])

  useEffect(() => {
    alive.current = true
    void refresh()
    const timer = intervalMs > 0 ? setInterval(() => void refresh(), intervalMs) : undefined
    return () => {
      alive.current = false
      clearInterval(timer)
    }
  }, [refresh, intervalMs])

  return { data, error, refresh }
}
