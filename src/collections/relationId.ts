/** The id of a relationship value, whether it arrived populated or as a bare id. */
export const relationId = (value: unknown): string | undefined => {
  if (typeof value === 'string') {
    return value === '' ? undefined : value
  }
  if (typeof value === 'number') {
    return String(value)
  }
  if (value && typeof value === 'object' && 'id' in value) {
    return relationId((value as { id: unknown }).id)
  }
  return undefined
}
