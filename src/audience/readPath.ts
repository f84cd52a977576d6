/** Reads "a.b.c" from a row; rows from CSV files have flat keys, so an exact key wins. */
export const readPath = (row: Record<string, unknown>, path: string): unknown => {
  if (path in row) {
    return row[path]
  }
  let value: unknown = row
  for (const part of path.split('.')) {
    if (!value || typeof value !== 'object') {
      return undefined
    }
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

/** A row value as text: scalars as written, anything else as JSON, absent as undefined. */
export const textOf = (value: unknown): string | undefined => {
  if (value === undefined || value === null) {
    return undefined
  }
  if (typeof value === 'string') {
    return value
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value)
  }
  return JSON.stringify(value)
}
