import type * as NodeCrypto from 'node:crypto'

import { createHmac } from 'node:crypto'
import { describe, expect, test, vi } from 'vitest'

const compared = vi.hoisted(() => ({ count: 0 }))

vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof NodeCrypto>()
  return {
    ...crypto,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compared.count++
      return crypto.timingSafeEqual(a, b)
    },
  }
})

const { safeEqual, signatureMatches } = await import('../../src/webhooks/signature.js')

describe('webhook signatures and verify tokens', () => {
  test('compared in constant time (crypto.timingSafeEqual), never with ===', () => {
    const body = '{"object":"whatsapp_business_account"}'
    const good = `sha256=${createHmac('sha256', 'app-secret').update(body).digest('hex')}`
    const before = compared.count
    expect(signatureMatches(body, good, 'app-secret')).toBe(true)
    expect(signatureMatches(body, good.replace(/.$/, '0'), 'app-secret')).toBe(false)
    expect(safeEqual('verify-token', 'verify-token')).toBe(true)
    expect(safeEqual('verify-token', 'verify-tokeN')).toBe(false)
    expect(compared.count - before).toBe(4)
  })

  test('missing header, empty secret, other lengths: refused', () => {
    expect(signatureMatches('{}', null, 'app-secret')).toBe(false)
    expect(signatureMatches('{}', 'sha256=abc', '')).toBe(false)
    expect(signatureMatches('{}', 'sha256=abc', 'app-secret')).toBe(false)
  })
})
