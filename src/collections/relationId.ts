/** The id of a relationship value, whether it arrived populated or as a bare id. */
export const relationId = (value: unknown): string | undefined => {
  if (value && typeof value === 'object' && 'id' in value) {
    return String((value as { id: unknown }).id)
  }
  return value === undefined || value === null || value === '' ? undefined : String(value)
}
