import type { Readable } from 'node:stream'

import { Transform } from 'node:stream'
import Papa from 'papaparse'

/** A CSV audience that cannot be read, with a message an editor can act on. */
export class CsvAudienceError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CsvAudienceError'
  }
}

export type CsvRow = Record<string, string>

/** Refuses binary data and over-long lines before the parser buffers them. */
const guard = (maxRowBytes: number) => {
  let lineBytes = 0
  const tooLong = () =>
    new CsvAudienceError(
      `A line of the CSV is longer than ${maxRowBytes} bytes; is it really a CSV?`,
    )
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (chunk.includes(0)) {
        callback(
          new CsvAudienceError('The file contains binary data (NUL bytes); it is not a CSV.'),
        )
        return
      }
      let start = 0
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) {
        if (lineBytes + at - start > maxRowBytes) {
          callback(tooLong())
          return
        }
        lineBytes = 0
        start = at + 1
      }
      lineBytes += chunk.length - start
      if (lineBytes > maxRowBytes) {
        callback(tooLong())
        return
      }
      callback(null, chunk)
    },
  })
}

/**
 * Streams a CSV's rows as objects keyed by its header (the phone column, in any case, as
 * "phone"), pausing the file while the consumer is busy so memory stays flat.
 */
export async function* readCsvRows(
  input: NodeJS.ReadableStream | Readable,
  {
    maxRowBytes = 1024 * 1024,
    onColumns,
  }: { maxRowBytes?: number; onColumns?: (columns: string[]) => void } = {},
): AsyncGenerator<CsvRow> {
  const rows: CsvRow[] = []
  const headers: string[] = []
  let failure: Error | undefined
  let done = false
  let wake: (() => void) | undefined
  let parser: Papa.Parser | undefined
  let rowNumber = 1
  const notify = () => {
    wake?.()
    wake = undefined
  }
  const source = (input as Readable).pipe(guard(maxRowBytes))
  const fail = (error: Error) => {
    failure ??=
      error instanceof CsvAudienceError
        ? error
        : new CsvAudienceError(`The CSV could not be read: ${error.message}`)
    notify()
  }
  source.on('error', fail)
  ;(input as Readable).on('error', fail)

  Papa.parse<CsvRow>(source as unknown as File, {
    complete: () => {
      done = true
      notify()
    },
    error: (error: Error) => fail(error),
    header: true,
    skipEmptyLines: 'greedy',
    step: (result, p) => {
      parser = p
      rowNumber++
      const serious = result.errors.find((e) => e.code !== 'UndetectableDelimiter')
      if (serious) {
        p.abort()
        fail(
          new CsvAudienceError(
            `Row ${serious.row !== undefined ? serious.row + 2 : rowNumber}: ${serious.message}.`,
          ),
        )
        return
      }
      rows.push(result.data)
      if (rows.length >= 1000) {
        // Papa's pause stops parsing only; its stream reader would keep queueing the whole file.
        p.pause()
        source.pause()
      }
      notify()
    },
    transformHeader: (header) => {
      const name = header.replace(/^\uFEFF/, '').trim()
      const key = name.toLowerCase() === 'phone' ? 'phone' : name
      headers.push(key)
      return key
    },
  })

  let checkedHeader = false
  try {
    for (;;) {
      if (failure) {
        throw failure
      }
      if (!checkedHeader && (rows.length > 0 || done)) {
        checkedHeader = true
        if (headers.length === 0) {
          throw new CsvAudienceError('The CSV file is empty.')
        }
        if (!headers.includes('phone')) {
          throw new CsvAudienceError(`CSV has no "phone" column (found: ${headers.join(', ')}).`)
        }
        onColumns?.(headers)
      }
      const row = rows.shift()
      if (row) {
        yield row
        continue
      }
      if (done) {
        return
      }
      // Listen before resuming: the parser may deliver rows synchronously.
      const delivered = new Promise<void>((resolve) => (wake = resolve))
      parser?.resume()
      source.resume()
      await delivered
    }
  } finally {
    // The consumer may stop early: stop reading the file.
    parser?.abort()
    source.destroy()
  }
}

export type CsvInspection = { columns: string[]; preview: CsvRow[]; rowCount: number }

/** Columns, row count and the first rows of a CSV, for previews and mapping pickers. */
export const inspectCsv = async (
  input: NodeJS.ReadableStream | Readable,
  { previewRows = 5 }: { previewRows?: number } = {},
): Promise<CsvInspection> => {
  let columns: string[] = []
  const preview: CsvRow[] = []
  let rowCount = 0
  for await (const row of readCsvRows(input, { onColumns: (found) => (columns = found) })) {
    if (preview.length < previewRows) {
      preview.push(row)
    }
    rowCount++
  }
  return { columns, preview, rowCount }
}
