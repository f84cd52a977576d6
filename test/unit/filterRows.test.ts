import { describe, expect, test } from 'vitest'

import { rowsToWhere, whereToRows } from '../../src/audience/filterRows.js'

describe('audience filter rows', () => {
  test('rows become a Payload where and back', () => {
    const rows = [
      { field: 'labels', operator: 'contains' as const, value: 'vip' },
      { field: 'attributes.city', operator: 'in' as const, value: 'Pune, Goa' },
      { field: 'displayName', operator: 'exists' as const, value: 'true' },
      { field: ' ', operator: 'equals' as const, value: 'ignored: no field' },
    ]
    const where = rowsToWhere(rows)
    expect(where).toEqual({
      and: [
        { labels: { contains: 'vip' } },
        { 'attributes.city': { in: ['Pune', 'Goa'] } },
        { displayName: { exists: true } },
      ],
    })
    expect(whereToRows(where)).toEqual(rows.slice(0, 3))
    expect(rowsToWhere([])).toEqual({})
  })

  test('a single condition reads as one row; anything rows cannot say is left to JSON', () => {
    expect(whereToRows({ labels: { contains: 'vip' } })).toEqual([
      { field: 'labels', operator: 'contains', value: 'vip' },
    ])
    expect(whereToRows(null)).toEqual([])
    expect(whereToRows({ or: [{ labels: { contains: 'a' } }] })).toBeUndefined()
    expect(whereToRows({ labels: { greater_than: 3 } })).toBeUndefined()
    expect(whereToRows({ a: { equals: 1 }, b: { equals: 2 } })).toBeUndefined()
    expect(whereToRows([1])).toBeUndefined()
  })
})
