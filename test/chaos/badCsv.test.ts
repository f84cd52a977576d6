import { Readable } from 'node:stream'
import { describe, expect, test } from 'vitest'

import { previewCsv } from '../../src/audience/csvPreview.js'
import { CsvAudienceError } from '../../src/audience/csvRows.js'
import { scale } from './scale.js'

/** A small seeded generator, so that a failing case can be replayed from its seed. */
const random = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31
  return seed / 2 ** 31
}

const pieces = [
  'phone',
  'Phone',
  'name',
  '+91 98765 43210',
  '098765 43210',
  'not-a-phone',
  '"',
  '""',
  ',',
  ';',
  '\t',
  '\n',
  '\r\n',
  '\uFEFF',
  '=SUM(A1)',
  'é',
  ' ',
  '',
]

/** A file made of CSV-ish pieces, sometimes with binary bytes or a very long line. */
const malformedFile = (next: () => number): Buffer => {
  const parts: Buffer[] = []
  const length = Math.floor(next() * 60)
  for (let i = 0; i < length; i++) {
    const roll = next()
    if (roll < 0.02) {
      parts.push(Buffer.from([0, 255, 1, 2]))
    } else if (roll < 0.03) {
      parts.push(Buffer.alloc(1024 * 1024 + 10, 'x'))
    } else {
      parts.push(Buffer.from(pieces[Math.floor(next() * pieces.length)]))
    }
  }
  return Buffer.concat(parts)
}

const preview = (data: Buffer) => previewCsv(Readable.from([data]), { defaultCountryCode: '91' })

describe('chaos: malformed CSV files', () => {
  const runs = scale(300, 2000)

  test(`${runs} generated malformed files: rows or a clear CsvAudienceError, never anything else`, async () => {
    let refused = 0
    for (let seed = 1; seed <= runs; seed++) {
      const data = malformedFile(random(seed))
      try {
        const result = await preview(data)
        expect(result.rowCount, `seed ${seed}`).toBeGreaterThanOrEqual(0)
        expect(result.invalidPhones + result.duplicatePhones).toBeLessThanOrEqual(result.rowCount)
      } catch (error) {
        expect(error, `seed ${seed}: ${(error as Error).message}`).toBeInstanceOf(CsvAudienceError)
        expect((error as Error).message.length).toBeGreaterThan(10)
        refused++
      }
    }
    expect(refused).toBeGreaterThan(0)
  })

  test('the named bad inputs: empty, header only, no phone column, binary, a 10 MB line, unbalanced quotes', async () => {
    await expect(preview(Buffer.from(''))).rejects.toThrow('The CSV file is empty.')
    expect(await preview(Buffer.from('phone,name\n'))).toMatchObject({
      columns: ['phone', 'name'],
      rowCount: 0,
    })
    await expect(preview(Buffer.from('mobile,name\n123,A\n'))).rejects.toThrow(
      'CSV has no "phone" column (found: mobile, name).',
    )
    await expect(preview(Buffer.from([0x70, 0, 0x68]))).rejects.toThrow(/binary/)
    await expect(preview(Buffer.alloc(10 * 1024 * 1024, 'a'))).rejects.toThrow(/longer than/)
    await expect(preview(Buffer.from('phone,name\n"+91 98765 43210,Ann\n'))).rejects.toThrow(
      'Row 2: Quoted field unterminated.',
    )
  })

  const rows = scale(100_000, 1_000_000)
  test(`${rows} rows stream through in flat memory`, async () => {
    const before = process.memoryUsage().rss
    function* file() {
      yield 'phone,name\n'
      for (let i = 0; i < rows; i += 1000) {
        yield Array.from(
          { length: 1000 },
          (_, k) => `+91 98${String(i + k).padStart(8, '0')},Guest ${i + k}\n`,
        ).join('')
      }
    }
    const result = await previewCsv(Readable.from(file()), { defaultCountryCode: '91' })
    expect(result).toMatchObject({ duplicatePhones: 0, invalidPhones: 0, rowCount: rows })
    // The set of seen phones is the only thing that grows (about 100 bytes a row).
    expect(process.memoryUsage().rss - before).toBeLessThan(rows * 200 + 100 * 1024 * 1024)
  })
})
