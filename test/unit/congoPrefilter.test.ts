import { ObjectId, QueryEngine } from '@push.rocks/smartmongo/dist_ts/congodb/index.js'
import { describe, expect, test } from 'vitest'

import { narrowDocuments } from '../../dev/database/congoPrefilter.js'

type Doc = Parameters<typeof QueryEngine.filter>[0][number]

const ids = [new ObjectId(), new ObjectId(), new ObjectId()]
// Values that look alike across types, so a narrowing that compared loosely would show.
const values: unknown[] = [
  'a',
  'b',
  '1',
  1,
  2,
  0,
  true,
  false,
  'true',
  null,
  undefined,
  ids[0],
  new ObjectId(ids[1].toHexString()),
  ids[1].toHexString(),
  ['a', 1],
  [ids[2]],
  [],
  new Date(0),
  { x: 1 },
]

// A deterministic generator, so a failure reproduces.
let seed = 7
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31
  return seed / 2 ** 31
}
const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]

const someDoc = (): Doc => {
  const doc: Record<string, unknown> = { _id: new ObjectId() }
  for (const field of ['a', 'b']) {
    const value = pick(values)
    if (value !== undefined) {
      doc[field] = value
    }
  }
  doc.n = pick([undefined, null, 'x', [{ b: pick(values) }], { b: pick(values) }])
  return doc as Doc
}

const condition = (): unknown =>
  pick([
    () => pick(values),
    () => ({ $in: [pick(values), pick(values), pick(values)] }),
    () => ({ $in: [pick(values), /^a/] }),
    () => ({ $eq: pick(values) }),
    () => ({ $in: [pick(values), pick(values)], $ne: pick(values) }),
    () => ({ $gt: 0 }),
    () => ({ $in: [] }),
  ])()

const someFilter = (): Record<string, unknown> =>
  pick([
    () => ({ a: condition() }),
    () => ({ a: condition(), b: condition() }),
    () => ({ 'n.b': condition() }),
    () => ({ $and: [{ a: condition() }, { b: condition() }] }),
    () => ({ $or: [{ a: condition() }, { b: condition() }] }),
    () => ({ _id: { $in: [ids[0], ids[1]] }, a: condition() }),
  ])()

const matched = (docs: Doc[], filter: Record<string, unknown>) =>
  QueryEngine.filter(docs, filter).map((doc) => String(doc._id))

describe('narrowDocuments (the embedded server narrows before mingo tests)', () => {
  test('never changes what a filter matches', () => {
    const docs = Array.from({ length: 400 }, someDoc)
    docs.push({ _id: ids[0], a: 'a' } as Doc, { _id: ids[1], a: 1 } as Doc)
    let narrowedAway = 0
    for (let i = 0; i < 1500; i += 1) {
      const filter = someFilter()
      const narrowed = narrowDocuments(docs, filter)
      narrowedAway += docs.length - narrowed.length
      expect(matched(narrowed, filter), JSON.stringify(filter)).toEqual(matched(docs, filter))
    }
    expect(narrowedAway).toBeGreaterThan(0)
  })

  test('an $in of ids leaves only those documents to test', () => {
    const docs = Array.from({ length: 1000 }, (_, i) => ({
      _id: new ObjectId(),
      messageId: `m${i}`,
    }))
    const wanted = [docs[3]._id, docs[500]._id]
    const filter = { _id: { $in: wanted }, messageId: { $in: ['m3', 'm500', 'm7'] } }
    expect(narrowDocuments(docs as Doc[], filter).map((doc) => doc.messageId)).toEqual([
      'm3',
      'm500',
    ])
  })
})
