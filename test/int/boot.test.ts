import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { bootPayload, type TestApp } from '../helpers/bootPayload.js'

let app: TestApp

beforeAll(async () => {
  app = await bootPayload('boot')
})
afterAll(async () => {
  await app?.close()
})

describe('boot', () => {
  test('collections exist', async () => {
    expect(Object.keys(app.payload.collections)).toContain('whatsapp-campaigns')
    const token = await app.login()
    const res = await app.api('GET', '/whatsapp-campaigns', { token })
    expect(res.status).toBe(200)
  })
})
