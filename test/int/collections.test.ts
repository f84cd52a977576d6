import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { getStore } from '../../src/store/index.js'
import { bootPayload, type TestApp } from '../helpers/bootPayload.js'
import { createAccount, createCampaign, createTemplate, testAccount } from '../helpers/fixtures.js'

let app: TestApp
let editor: string
let accountId: number | string

beforeAll(async () => {
  app = await bootPayload('collections', { pluginOptions: { queue: false } })
  editor = await app.login()
  accountId = (await createAccount(app.payload)).id
})
afterAll(async () => {
  await app?.close()
})

const slugs = [
  'whatsapp-accounts',
  'whatsapp-templates',
  'whatsapp-contacts',
  'whatsapp-campaigns',
  'whatsapp-campaign-recipients',
]

describe('collections', () => {
  test('all five collections are served over REST to a logged-in user, and refused to anyone else', async () => {
    for (const slug of slugs) {
      expect((await app.api('GET', `/${slug}`, { token: editor })).status).toBe(200)
      const anonymous = await app.api('GET', `/${slug}`)
      expect(anonymous.status).toBe(403)
    }
  })

  test('secrets are write-only: no REST, GraphQL or Local API read returns them', async () => {
    const created = await app.api('POST', '/whatsapp-accounts', {
      body: {
        name: 'Second number',
        accessTokenInput: 'EAAG-secret-token-value',
        appSecretInput: 'super-secret-app-value',
        phoneNumberId: '123456789012',
        wabaId: '987654321098',
      },
      token: editor,
    })
    expect(created.status).toBe(201)
    const doc = created.body.doc as Record<string, unknown>
    const id = String(doc.id)
    const responses = [
      JSON.stringify(created.body),
      JSON.stringify((await app.api('GET', `/whatsapp-accounts/${id}`, { token: editor })).body),
      JSON.stringify((await app.api('GET', '/whatsapp-accounts', { token: editor })).body),
      JSON.stringify(
        (
          await app.api('POST', '/graphql', {
            body: { query: '{ WhatsappAccounts { docs { id name phoneNumberId } } }' },
            token: editor,
          })
        ).body,
      ),
      JSON.stringify(await app.payload.findByID({ id, collection: 'whatsapp-accounts' })),
      JSON.stringify(await app.payload.find({ collection: 'whatsapp-accounts' })),
      JSON.stringify(
        (
          await app.api('PATCH', `/whatsapp-accounts/${id}`, {
            body: { name: 'Renamed' },
            token: editor,
          })
        ).body,
      ),
    ]
    for (const text of responses) {
      expect(text).not.toContain('EAAG-secret-token-value')
      expect(text).not.toContain('super-secret-app-value')
    }
    expect(
      (await app.api('GET', `/whatsapp-accounts/${id}`, { token: editor })).body,
    ).toMatchObject({
      accessTokenIsSet: true,
      appSecretIsSet: true,
    })
    // Saving the form without re-entering them keeps them; code on the server can still read them.
    const stored = await app.payload.findByID({
      id,
      collection: 'whatsapp-accounts',
      showHiddenFields: true,
    })
    expect(stored.accessToken).toBe('EAAG-secret-token-value')
    expect(stored.appSecret).toBe('super-secret-app-value')
  })

  test('validation errors are clear and change nothing', async () => {
    const before = await app.payload.count({ collection: 'whatsapp-accounts' })
    const bad = await app.api('POST', '/whatsapp-accounts', {
      body: { name: 'x', phoneNumberId: 'abc', wabaId: '1' },
      token: editor,
    })
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.body)).toContain('Phone number ID must be the digits')
    expect((await app.payload.count({ collection: 'whatsapp-accounts' })).totalDocs).toBe(
      before.totalDocs,
    )

    const badPhone = await app.api('POST', '/whatsapp-contacts', {
      body: { account: accountId, phone: 'call me' },
      token: editor,
    })
    expect(badPhone.status).toBe(400)

    const badMappings = await app.api('POST', '/whatsapp-campaigns', {
      body: { name: 'x', account: accountId, audienceType: 'contacts', parameterMappings: [1] },
      token: editor,
    })
    expect(badMappings.status).toBe(400)
    expect(JSON.stringify(badMappings.body)).toContain('Parameter mappings must be a JSON object')

    const badFilters = await app.api('POST', '/whatsapp-campaigns', {
      body: {
        name: 'x',
        account: accountId,
        audienceFilters: { nosuchfield: { equals: 1 } },
        audienceType: 'contacts',
      },
      token: editor,
    })
    expect(badFilters.status).toBe(400)
    expect(JSON.stringify(badFilters.body)).toContain('Audience filters are not a valid query')

    const csvWithoutFile = await app.api('POST', '/whatsapp-campaigns', {
      body: { name: 'x', account: accountId, audienceType: 'csv' },
      token: editor,
    })
    expect(csvWithoutFile.status).toBe(400)
    expect(JSON.stringify(csvWithoutFile.body)).toContain('needs a CSV file')
  })

  test('normalizedPhone is derived and unique per account, even for concurrent writes', async () => {
    const created = await app.api('POST', '/whatsapp-contacts', {
      body: { account: accountId, displayName: 'Asha', phone: '+91 98765 43210' },
      token: editor,
    })
    expect(created.status).toBe(201)
    expect((created.body.doc as Record<string, unknown>).normalizedPhone).toBe('919876543210')

    const duplicate = await app.api('POST', '/whatsapp-contacts', {
      body: { account: accountId, phone: '098765 43210' },
      token: editor,
    })
    expect(duplicate.status).toBe(400)
    expect(JSON.stringify(duplicate.body)).toContain('already exists for this account')

    const racing = await Promise.all(
      Array.from({ length: 5 }, () =>
        app.api('POST', '/whatsapp-contacts', {
          body: { account: accountId, phone: '+91 91234 56789' },
          token: editor,
        }),
      ),
    )
    expect(racing.filter((r) => r.status === 201)).toHaveLength(1)
    const stored = await app.payload.count({
      collection: 'whatsapp-contacts',
      where: { normalizedPhone: { equals: '919123456789' } },
    })
    expect(stored.totalDocs).toBe(1)
  })

  test('status and counters cannot be written through the API; recipients are read-only', async () => {
    const template = await createTemplate(app.payload, accountId, {
      name: 'hello_plain',
      components: [{ type: 'BODY', text: 'Hello' }],
    })
    const created = await app.api('POST', '/whatsapp-campaigns', {
      body: {
        name: 'Sneaky',
        account: accountId,
        audienceType: 'contacts',
        sentCount: 99,
        status: 'completed',
        template: template.id,
      },
      token: editor,
    })
    expect(created.status).toBe(201)
    const doc = created.body.doc as Record<string, unknown>
    expect(doc.status).toBe('draft')
    expect(doc.sentCount).toBe(0)

    const recipient = await app.api('POST', '/whatsapp-campaign-recipients', {
      body: { campaign: doc.id, phoneNumber: '919876543210' },
      token: editor,
    })
    expect(recipient.status).toBe(403)
  })

  test('deleting a campaign deletes its recipients; a running one must be paused first', async () => {
    const template = await createTemplate(app.payload, accountId, {
      name: 'hello_delete',
      components: [{ type: 'BODY', text: 'Hello' }],
    })
    const campaign = await createCampaign(app.payload, {
      account: accountId,
      audienceType: 'contacts',
      template: template.id,
    })
    const store = getStore(app.payload)
    await store.insertRecipients(String(campaign.id), [
      { phoneNumber: '919800000301', status: 'pending' },
      { phoneNumber: '919800000302', status: 'pending' },
    ])
    const recipientsOf = async () =>
      (
        await app.payload.count({
          collection: 'whatsapp-campaign-recipients',
          where: { campaign: { equals: campaign.id } },
        })
      ).totalDocs
    expect(await recipientsOf()).toBe(2)

    await store.transition(String(campaign.id), ['draft'], { status: 'running' })
    const refused = await app.api('DELETE', `/whatsapp-campaigns/${campaign.id}`, { token: editor })
    expect(refused.status).toBe(409)
    expect(await recipientsOf()).toBe(2)

    await store.transition(String(campaign.id), ['running'], { status: 'paused' })
    const deleted = await app.api('DELETE', `/whatsapp-campaigns/${campaign.id}`, { token: editor })
    expect(deleted.status).toBe(200)
    expect(await recipientsOf()).toBe(0)
  })

  test('only approved templates are selectable while one is approved; all otherwise', async () => {
    const fresh = await app.payload.create({
      collection: 'whatsapp-accounts',
      data: { name: 'Fresh', phoneNumberId: '55555555555', wabaId: '66666666666' },
    })
    const pending = await createTemplate(app.payload, fresh.id, {
      name: 'pending_one',
      components: [{ type: 'BODY', text: 'Hi' }],
      status: 'PENDING',
    })
    const withPendingOnly = await app.api('POST', '/whatsapp-campaigns', {
      body: { name: 'a', account: fresh.id, audienceType: 'contacts', template: pending.id },
      token: editor,
    })
    expect(withPendingOnly.status).toBe(201)

    await createTemplate(app.payload, fresh.id, {
      name: 'approved_one',
      components: [{ type: 'BODY', text: 'Hi' }],
    })
    const withPendingNow = await app.api('POST', '/whatsapp-campaigns', {
      body: { name: 'b', account: fresh.id, audienceType: 'contacts', template: pending.id },
      token: editor,
    })
    expect(withPendingNow.status).toBe(400)
  })

  test('a viewer role can be kept out by the access option', async () => {
    const restricted = await bootPayload('collections_access', {
      pluginOptions: {
        access: {
          run: ({ req }) => (req.user as { role?: string } | null)?.role === 'admin',
          update: ({ req }) => (req.user as { role?: string } | null)?.role !== 'viewer',
        },
        queue: false,
      },
    })
    try {
      const viewer = await restricted.login('viewer@example.com', 'viewer')
      const res = await restricted.api('POST', '/whatsapp-accounts', {
        body: { name: 'n', phoneNumberId: testAccount.phoneNumberId, wabaId: testAccount.wabaId },
        token: viewer,
      })
      expect(res.status).toBe(403)
      expect((await restricted.api('GET', '/whatsapp-campaigns', { token: viewer })).status).toBe(
        200,
      )
    } finally {
      await restricted.close()
    }
  })
})
