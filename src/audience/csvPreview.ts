import type { Readable } from 'node:stream'

import type { CsvRow } from './csvRows.js'

import { readCsvRows } from './csvRows.js'
import { normalizePhone } from './normalizePhone.js'

export type CsvPreviewRow = {
  /** The phone as it will be sent (E.164 digits), or why the row will be skipped. */
  phone: { error: string; ok: false } | { ok: true; phone: string }
  row: CsvRow
}

export type CsvPreview = {
  columns: string[]
  /** Rows whose phone repeats an earlier row's: sent once. */
  duplicatePhones: number
  /** Rows whose phone is missing or invalid: recorded as failed, never sent. */
  invalidPhones: number
  preview: CsvPreviewRow[]
  rowCount: number
}

/**
 * What an editor checks before Run: columns, row count, how many phones are invalid or repeated
 * over the whole file (streamed), and the first rows with each phone checked.
 */
export const previewCsv = async (
  input: NodeJS.ReadableStream | Readable,
  { defaultCountryCode, previewRows = 10 }: { defaultCountryCode: string; previewRows?: number },
): Promise<CsvPreview> => {
  let columns: string[] = []
  const preview: CsvPreviewRow[] = []
  const seen = new Set<string>()
  const result = { duplicatePhones: 0, invalidPhones: 0, rowCount: 0 }
  for await (const row of readCsvRows(input, { onColumns: (found) => (columns = found) })) {
    const phone = normalizePhone(row.phone, defaultCountryCode)
    if (!phone.ok) {
      result.invalidPhones++
    } else if (seen.has(phone.phone)) {
      result.duplicatePhones++
    } else {
      seen.add(phone.phone)
    }
    if (preview.length < previewRows) {
      preview.push({ phone, row })
    }
    result.rowCount++
  }
  return { ...result, columns, preview }
}
