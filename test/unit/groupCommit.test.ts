import { describe, expect, test } from 'vitest'

import { groupCommit } from '../../src/store/groupCommit.js'

/** A write that lands when told to, recording what each call held. */
const heldWrite = () => {
  const writes: number[][] = []
  const pending: Array<{ fail: (error: Error) => void; land: () => void }> = []
  const write = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      writes.push(items)
      pending.push({ fail: reject, land: () => resolve(items.map((n) => `id${n}`)) })
    })
  const tick = () => new Promise((resolve) => setImmediate(resolve))
  return { pending, tick, write, writes }
}

describe('group commit', () => {
  test('a lone write goes at once; writes asked for meanwhile go together next', async () => {
    const held = heldWrite()
    const log = groupCommit(held.write, 100)
    const first = log([1])
    await held.tick()
    expect(held.writes).toEqual([[1]])
    const second = log([2, 3])
    const third = log([4])
    await held.tick()
    expect(held.writes).toHaveLength(1)
    held.pending[0].land()
    expect(await first).toEqual(['id1'])
    await held.tick()
    expect(held.writes).toEqual([[1], [2, 3, 4]])
    held.pending[1].land()
    expect(await second).toEqual(['id2', 'id3'])
    expect(await third).toEqual(['id4'])
  })

  test('a group holds at most maxItems (a larger call alone), in order', async () => {
    const held = heldWrite()
    const log = groupCommit(held.write, 3)
    const calls = [log([0]), log([1, 2]), log([3]), log([4, 5, 6, 7]), log([8])]
    for (let i = 0; i < 4; i++) {
      await held.tick()
      held.pending[i].land()
    }
    expect(await Promise.all(calls)).toEqual([
      ['id0'],
      ['id1', 'id2'],
      ['id3'],
      ['id4', 'id5', 'id6', 'id7'],
      ['id8'],
    ])
    expect(held.writes).toEqual([[0], [1, 2, 3], [4, 5, 6, 7], [8]])
  })

  test('a failed write fails each of its callers; the next group still goes', async () => {
    const held = heldWrite()
    const log = groupCommit(held.write, 100)
    const first = log([1])
    const second = log([2])
    const third = log([3])
    await held.tick()
    held.pending[0].land()
    await held.tick()
    held.pending[1].fail(new Error('database gone'))
    await expect(second).rejects.toThrow('database gone')
    await expect(third).rejects.toThrow('database gone')
    expect(await first).toEqual(['id1'])
    const fourth = log([4])
    await held.tick()
    held.pending[2].land()
    expect(await fourth).toEqual(['id4'])
  })
})
