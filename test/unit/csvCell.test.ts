import { describe, expect, test } from 'vitest'

import { csvCell, csvLine } from '../../src/analytics/csvCell.js'

describe('csvCell', () => {
  test('neutralizes spreadsheet formulas', () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`)
    expect(csvCell('+1')).toBe("'+1")
    expect(csvCell('-2+3')).toBe("'-2+3")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell('\tx')).toBe("'\tx")
  })

  test('quotes delimiters, quotes and newlines; leaves plain text alone', () => {
    expect(csvCell('Ben, Jr')).toBe('"Ben, Jr"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
    expect(csvCell('919876543210')).toBe('919876543210')
  })

  test('renders numbers, dates, objects and empty values', () => {
    expect(csvCell(131026)).toBe('131026')
    expect(csvCell(null)).toBe('')
    expect(csvCell(undefined)).toBe('')
    expect(csvCell(new Date('2026-01-02T03:04:05.000Z'))).toBe('2026-01-02T03:04:05.000Z')
    expect(csvCell({ '1': 'Asha' })).toBe('"{""1"":""Asha""}"')
    expect(csvLine(['a', 1, null])).toBe('a,1,\r\n')
  })
})
