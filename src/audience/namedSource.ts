import type { Payload, PayloadRequest } from 'payload'

import type { AudienceRow, NamedAudience } from '../options.js'

/** Rows of a named audience: whatever its resolver returns (array, iterable or async iterable). */
export async function* namedSource(args: {
  audience: NamedAudience
  campaign: { id: number | string } & Record<string, unknown>
  key: string
  payload: Payload
  req?: PayloadRequest
}): AsyncGenerator<AudienceRow> {
  const { audience, campaign, key, payload, req } = args
  let rows: AsyncIterable<AudienceRow> | Iterable<AudienceRow>
  try {
    rows = await audience.resolve({ campaign, payload, req })
  } catch (error) {
    throw new Error(`The "${key}" audience failed to load: ${(error as Error).message}`)
  }
  if (!rows || (typeof rows !== 'object' && typeof rows !== 'function')) {
    throw new Error(`The "${key}" audience returned ${typeof rows}, not an array or iterable.`)
  }
  const isIterable = Symbol.asyncIterator in (rows as object) || Symbol.iterator in (rows as object)
  if (!isIterable) {
    throw new Error(`The "${key}" audience returned an object that is not iterable.`)
  }
  for await (const row of rows) {
    // A bad row becomes a failed recipient downstream, never a crash.
    yield row && typeof row === 'object' ? row : { value: row }
  }
}
