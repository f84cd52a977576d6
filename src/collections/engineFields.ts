import type { DateField, Field, JSONField, TextField } from 'payload'

type EngineField =
  | Pick<DateField, 'index' | 'name' | 'type'>
  | Pick<JSONField, 'name' | 'type'>
  | Pick<TextField, 'index' | 'name' | 'type'>

const engineOnly = { access: { create: () => false, update: () => false }, hidden: true } as const

/**
 * Bookkeeping the engine writes straight to the database (claims, idempotency ids). They are
 * fields so that SQL databases get columns for them, and hidden: no API returns them and no
 * API caller may write them.
 */
export const engineFields = (fields: EngineField[]): Field[] =>
  fields.map((field) => ({ ...field, ...engineOnly }) as Field)
