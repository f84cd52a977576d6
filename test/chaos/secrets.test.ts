import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import type { CloudApiSimulator } from '../../dev/simulator/index.js'
import type { TestApp } from '../helpers/bootPayload.js'

import { demoTemplates, startCloudApiSimulator } from '../../dev/simulator/index.js'
import { runCampaign, stopCampaignQueue } from '../../src/index.js'
import { bootPayload } from '../helpers/bootPayload.js'
import { createCampaign, testAccount, waitForStatus } from '../helpers/fixtures.js'
import { rawDocuments } from '../helpers/rawDocuments.js'
import { postWebhook, statusBody } from '../helpers/signedPost.js'
import { createDemoTemplates } from '../helpers/templates.js'

const wrongToken = 'EAAG-expired-token-that-must-not-leak'
const secrets = [testAccount.accessToken, testAccount.appSecret, wrongToken]

let simulator: CloudApiSimulator
let app: TestApp
const logs: string[] = []
/** Every response body and stored message a user or operator could see. */
const seen: string[] = []

beforeAll(async () => {
  simulator = await startCloudApiSimulator({
    accounts: [testAccount],
    templates: { [testAccount.wabaId]: demoTemplates },
  })
  app = await bootPayload('chaos_secrets', {
    logger: { destination: { write: (line: string) => void logs.push(line) }, options: {} },
    pluginOptions: {
      encryptionKey: 'a key from the environment',
      graphApiUrl: simulator.url,
      queue: false,
    },
  })
  simulator.configure({ webhookUrl: `${app.rest.url}/api/whatsapp/webhook` })
})
afterAll(async () => {
  await stopCampaignQueue(app.payload)
  await simulator?.close()
  await app?.close()
})

const call = async (...args: Parameters<TestApp['api']>) => {
  const response = await app.api(...args)
  seen.push(JSON.stringify(response.body))
  return response
}

describe('chaos: secrets stay secret', () => {
  test('encrypted at rest, used decrypted, and absent from every response, stored error and log line', async () => {
    const token = await app.login('admin@example.com', 'admin')
    const created = await call('POST', '/whatsapp-accounts', {
      body: {
        name: 'Secret number',
        accessTokenInput: testAccount.accessToken,
        appSecretInput: testAccount.appSecret,
        phoneNumberId: testAccount.phoneNumberId,
        verifyToken: testAccount.verifyToken,
        wabaId: testAccount.wabaId,
      },
      token,
    })
    expect(created.status).toBe(201)
    const accountId = (created.body.doc as { id: number | string }).id

    // At rest: ciphertext only.
    const [raw] = await rawDocuments(app.payload, 'whatsapp-accounts')
    expect(String(raw?.accessToken)).toMatch(/^enc:v1:/)
    expect(String(raw?.appSecret)).toMatch(/^enc:v1:/)
    expect(JSON.stringify(raw)).not.toContain(testAccount.accessToken)
    expect(JSON.stringify(raw)).not.toContain(testAccount.appSecret)

    // In use: the token reaches Meta (the simulator checks it), the app secret checks signatures.
    const templates = await createDemoTemplates(app.payload, accountId)
    await app.payload.create({
      collection: 'whatsapp-contacts',
      data: { name: 'Ann', account: accountId, phone: '+91 90000 00201' },
    })
    const sending = await createCampaign(app.payload, {
      account: accountId,
      audienceType: 'contacts',
      template: templates.hello_world,
    })
    expect((await runCampaign(app.payload, sending.id, { wait: true })).status).toBe('completed')
    expect(simulator.sent.map((m) => m.to)).toEqual(['919000000201'])
    await waitForStatus(app.payload, sending.id, ['completed'])
    const signed = await postWebhook(
      app.rest.url,
      statusBody(testAccount.phoneNumberId, [{ id: 'wamid.unknown', status: 'delivered' }]),
      { secret: testAccount.appSecret },
    )
    expect(signed.status).toBe(200)
    const forged = await postWebhook(
      app.rest.url,
      statusBody(testAccount.phoneNumberId, [{ id: 'wamid.unknown', status: 'delivered' }]),
      { secret: 'guess' },
    )
    expect(forged.status).toBe(401)
    seen.push(signed.body, forged.body)

    // Failing paths: an expired token pauses a campaign and fails a template sync.
    expect(
      (
        await call('PATCH', `/whatsapp-accounts/${accountId}`, {
          body: { accessTokenInput: wrongToken },
          token,
        })
      ).status,
    ).toBe(200)
    const refused = await createCampaign(app.payload, {
      account: accountId,
      audienceType: 'contacts',
      template: templates.hello_world,
    })
    expect((await call('POST', `/whatsapp-campaigns/${refused.id}/run`, { token })).status).toBe(
      200,
    )
    const paused = await waitForStatus(app.payload, refused.id, ['paused'])
    expect(paused.error).toContain('190')
    seen.push(JSON.stringify(paused))
    const sync = await call('POST', '/whatsapp-templates/sync', {
      body: { account: accountId },
      token,
    })
    expect(sync.status).toBeGreaterThanOrEqual(400)

    // Every read an API caller can make.
    await call('GET', `/whatsapp-accounts/${accountId}`, { token })
    await call('GET', '/whatsapp-accounts?depth=2', { token })
    await call('GET', `/whatsapp-campaigns/${refused.id}?depth=2`, { token })
    await call('GET', '/whatsapp-campaign-recipients?depth=2', { token })
    await call('GET', '/whatsapp-webhook-events?depth=2', { token })
    await call('POST', '/graphql', {
      body: { query: '{ WhatsappAccounts { docs { id name phoneNumberId verifyToken } } }' },
      token,
    })
    seen.push(
      JSON.stringify(
        await app.payload
          .find({ collection: 'whatsapp-accounts', overrideAccess: false, user: null })
          .catch((error: Error) => error.message),
      ),
    )

    expect(logs.length).toBeGreaterThan(0)
    for (const secret of secrets) {
      expect(seen.filter((text) => text.includes(secret))).toEqual([])
      expect(logs.filter((line) => line.includes(secret))).toEqual([])
    }
  })
})
