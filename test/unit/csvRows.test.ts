import { Readable } from 'node:stream'
import { describe, expect, test } from 'vitest'

import { CsvAudienceError, inspectCsv, readCsvRows } from '../../src/audience/csvRows.js'

const stream = (...chunks: Array<Buffer | string>) =>
  Readable.from(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk)))

const rowsOf = async (input: Readable, options?: Parameters<typeof readCsvRows>[1]) => {
  const rows = []
  for await (const row of readCsvRows(input, options)) {
    rows.push(row)
  }
  return rows
}

describe('readCsvRows', () => {
  test('keys rows by header, with the phone column found in any case, BOM and CRLF', async () => {
    let columns: string[] = []
    const rows = await rowsOf(
      stream('\uFEFFPHONE, name ,city\r\n+919876543210,Asha,Pune\r\n', '919876543211,Ravi,Goa\r\n'),
      { onColumns: (found) => (columns = found) },
    )
    expect(columns).toEqual(['phone', 'name', 'city'])
    expect(rows).toEqual([
      { name: 'Asha', city: 'Pune', phone: '+919876543210' },
      { name: 'Ravi', city: 'Goa', phone: '919876543211' },
    ])
  })

  test('detects the ";" delimiter, keeps quoted separators and skips blank lines', async () => {
    const rows = await rowsOf(stream('phone;note\n1;"a; b"\n\n2;"say ""hi"""\n'))
    expect(rows).toEqual([
      { note: 'a; b', phone: '1' },
      { note: 'say "hi"', phone: '2' },
    ])
  })

  test('rows split across chunks arrive whole', async () => {
    const rows = await rowsOf(stream('pho', 'ne,na', 'me\n12', '3,Al', 'i\n456,', 'Bo\n'))
    expect(rows).toEqual([
      { name: 'Ali', phone: '123' },
      { name: 'Bo', phone: '456' },
    ])
  })

  test.each([
    ['an empty file', [''], 'The CSV file is empty.'],
    [
      'no phone column',
      ['name,city\nAsha,Pune\n'],
      'CSV has no "phone" column (found: name, city).',
    ],
    ['binary data', [Buffer.from([0x50, 0x4b, 0x03, 0x00, 0x14])], 'binary data'],
    ['a line over the limit', [`phone\n${'9'.repeat(200)}\n`], 'longer than 100 bytes'],
    ['a broken quote', ['phone,name\n1,"Asha\n'], 'Row'],
  ])('refuses %s with a clear error', async (_name, chunks, message) => {
    const failure = await rowsOf(stream(...chunks), { maxRowBytes: 100 }).catch(
      (error: unknown) => error,
    )
    expect(failure).toBeInstanceOf(CsvAudienceError)
    expect((failure as Error).message).toContain(message)
  })

  test('reads only a bounded way ahead of a slow consumer, and stops when it stops', async () => {
    const fileRows = 100_000
    let produced = 0
    const input = Readable.from(
      (function* () {
        yield 'phone\n'
        while (produced < fileRows) {
          produced++
          yield `${9000000000 + produced}\n`
        }
      })(),
    )
    let seen = 0
    for await (const _row of readCsvRows(input)) {
      seen++
      await new Promise((resolve) => setImmediate(resolve))
      if (seen === 3) {
        break
      }
    }
    const producedAtStop = produced
    await new Promise((resolve) => setTimeout(resolve, 50))
    // The parser buffers a thousand rows and the streams their high-water marks, not the file.
    expect(producedAtStop).toBeLessThan(10_000)
    expect(produced).toBe(producedAtStop)
  })
})

describe('inspectCsv', () => {
  test('counts every row and keeps the first few', async () => {
    const body = ['phone,name', ...Array.from({ length: 12 }, (_, i) => `${i},n${i}`)].join('\n')
    const inspection = await inspectCsv(stream(body), { previewRows: 2 })
    expect(inspection).toEqual({
      columns: ['phone', 'name'],
      preview: [
        { name: 'n0', phone: '0' },
        { name: 'n1', phone: '1' },
      ],
      rowCount: 12,
    })
  })
})
