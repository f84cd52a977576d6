/** Readers for the loosely typed JSON of Meta's webhook bodies. */

export const object = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined

export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])

export const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined

/**
 * A time Meta wrote as Unix seconds (number or digits) or as an ISO date
 * ("2026-04-19T13:59:20+0000"); undefined when it is neither.
 */
export const metaTime = (value: unknown): Date | undefined => {
  const raw = text(value)
  if (raw === undefined || raw.trim() === '') {
    return undefined
  }
  if (/^\d+(?:\.\d+)?$/.test(raw)) {
    return new Date(Number(raw) * 1000)
  }
  // "+0000" is not ISO 8601 as Date parses it everywhere; "+00:00" is.
  const date = new Date(raw.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))
  return Number.isNaN(date.getTime()) ? undefined : date
}

/** Where a WABA-level change came from: the entry's id (the WABA) and time. */
export type EntryMeta = { time: Date; wabaId: string }
