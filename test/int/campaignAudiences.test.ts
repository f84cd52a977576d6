import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { runCampaign } from '../../src/index.js'
import {
  createCampaign,
  expectCountersMatchRecipients,
  waitForStatus,
  waitForWebhooksApplied,
} from '../helpers/fixtures.js'
import {
  bootWithSimulator,
  setUpEditorAccount,
  type SimulatedApp,
} from '../helpers/simulatorApp.js'
import { uploadCsv } from '../helpers/templates.js'

let app: SimulatedApp
let editor: string
let accountId: number | string
let templates: Record<string, number | string>

beforeAll(async () => {
  app = await bootWithSimulator('audiences', {
    audiences: {
      broken: {
        resolve: () => Promise.reject(new Error('the CRM is down')),
      },
      generated: {
        fields: ['mobile', 'fullName', 'first'],
        nameField: 'fullName',
        phoneField: 'mobile',
        resolve: () =>
          Promise.resolve(
            (async function* () {
              await Promise.resolve()
              yield { first: 'Ann', fullName: 'Ann A', mobile: '+91 90000 00001' }
              yield { first: 'Bob', fullName: 'Bob B', mobile: '+91 90000 00002' }
              yield { first: 'Ann again', fullName: 'Ann A', mobile: '0091 90000 00001' }
            })(),
          ),
      },
      promo: {
        fields: ['phone', 'name', 'code'],
        resolve: () =>
          Promise.resolve([
            { name: 'Cara', code: 'SPRING', phone: '+44 7911 123457' },
            { name: 'Dev', code: 'SUMMER', phone: '+44 7911 123458' },
          ]),
      },
    },
    collections: {
      audienceFiles: { upload: { staticDir: path.join(os.tmpdir(), `wa-csv-${process.pid}`) } },
    },
    queue: false,
  })
  ;({ accountId, editor, templates } = await setUpEditorAccount(app))
})
afterAll(async () => {
  await app?.close()
})

const sentTo = (phone: string) => app.simulator.sent.filter((m) => m.to === phone)

describe('audiences end to end, against the Cloud API simulator', () => {
  test('contacts: filtered by labels, opted-out and blocked left out, run through REST', async () => {
    const contacts = [
      { displayName: 'Asha', labels: ['vip'], orderId: 'A-1', phone: '98765 00001' },
      { displayName: 'Ravi', labels: ['vip'], orderId: 'A-2', phone: '98765 00002' },
      {
        displayName: 'Opted',
        labels: ['vip'],
        optedOut: true,
        orderId: 'A-3',
        phone: '98765 00003',
      },
      {
        displayName: 'Blocked',
        isBlocked: true,
        labels: ['vip'],
        orderId: 'A-4',
        phone: '98765 00004',
      },
      { displayName: 'Plain', labels: ['regular'], orderId: 'A-5', phone: '98765 00005' },
    ]
    for (const { orderId, ...contact } of contacts) {
      await app.payload.create({
        collection: 'whatsapp-contacts',
        data: { ...contact, account: accountId, attributes: { orderId } },
      })
    }
    const campaign = await createCampaign(app.payload, {
      account: accountId,
      audienceFilters: { labels: { contains: 'vip' } },
      audienceType: 'contacts',
      parameterMappings: { '1': 'name', '2': 'attributes.orderId' },
      template: templates.order_update,
    })
    const res = await app.api('POST', `/whatsapp-campaigns/${campaign.id}/run`, { token: editor })
    expect(res).toMatchObject({ body: { status: 'running' }, status: 200 })
    await waitForStatus(app.payload, campaign.id, ['completed'])

    expect(sentTo('919876500001')).toHaveLength(1)
    expect(sentTo('919876500002')).toHaveLength(1)
    for (const phone of ['919876500003', '919876500004', '919876500005']) {
      expect(sentTo(phone)).toHaveLength(0)
    }
    expect(sentTo('919876500001')[0].components).toEqual([
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'Asha' },
          { type: 'text', text: 'A-1' },
        ],
      },
    ])
    // The simulator reports delivery and reads through signed webhooks, as Meta does.
    await app.simulator.flushWebhooks()
    await waitForWebhooksApplied(app.payload)
    const { doc } = await expectCountersMatchRecipients(app.payload, campaign.id)
    expect(doc).toMatchObject({
      deliveredCount: 2,
      failedCount: 0,
      readCount: 2,
      sentCount: 2,
      status: 'completed',
      totalCount: 2,
    })
    expect(doc.startedAt).toBeTruthy()
    expect(doc.completedAt).toBeTruthy()
  })

  test('csv: BOM, ";" delimiter, CRLF, quotes; phones normalized and deduplicated; bad rows fail alone', async () => {
    const csv =
      '\uFEFFPhone;name;order_id\r\n' +
      '+91 98765 11111;Asha;A1\r\n' +
      '098765 11111;Asha again;A2\r\n' +
      'not-a-phone;X;A3\r\n' +
      '\r\n' +
      '"+44 7911 123456";"Ben; Jr";B1\r\n' +
      '+1 415 555 2671;Chen;\r\n'
    const file = await uploadCsv(app.payload, 'audience.csv', csv)
    const campaign = await createCampaign(app.payload, {
      account: accountId,
      audienceType: 'csv',
      csvFile: file.id,
      parameterMappings: { '1': 'name', '2': 'order_id' },
      template: templates.order_update,
    })
    const result = await runCampaign(app.payload, campaign.id, { wait: true })
    expect(result.status).toBe('completed')

    expect(sentTo('919876511111')).toHaveLength(1)
    expect(sentTo('447911123456')).toHaveLength(1)
    expect(sentTo('447911123456')[0].components).toEqual([
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'Ben; Jr' },
          { type: 'text', text: 'B1' },
        ],
      },
    ])
    expect(sentTo('14155552671')).toHaveLength(0)

    const { doc, recipients } = await expectCountersMatchRecipients(app.payload, campaign.id)
    expect(doc).toMatchObject({ failedCount: 2, sentCount: 2, totalCount: 4 })
    const failed = recipients.filter((r) => r.status === 'failed')
    expect(failed.map((r) => r.phoneNumber).sort()).toEqual(['14155552671', 'not-a-phone'])
    expect(failed.find((r) => r.phoneNumber === 'not-a-phone')?.errorMessage).toBeTruthy()
    expect(failed.find((r) => r.phoneNumber === '14155552671')?.errorMessage).toContain('order_id')
  })

  test('audience preview for the form: CSV columns, counts, first rows checked; fields per audience', async () => {
    const csv =
      'Phone,name,order_id\n+91 98765 22222,Ann,A1\nnope,Bob,B2\n098765 22222,Ann again,A3\n'
    const file = await uploadCsv(app.payload, 'preview.csv', csv)
    const preview = (body: Record<string, unknown>, token?: string) =>
      app.api('POST', '/whatsapp-campaigns/audience-preview', { body, token })

    const csvPreview = await preview({ audienceType: 'csv', csvFile: file.id }, editor)
    expect(csvPreview.status).toBe(200)
    expect(csvPreview.body).toMatchObject({
      csv: {
        columns: ['phone', 'name', 'order_id'],
        duplicatePhones: 1,
        invalidPhones: 1,
        rowCount: 3,
      },
      fields: ['phone', 'name', 'order_id'],
      // Every audience type's preview carries its first row: the mapping rows' examples.
      firstRow: { name: 'Ann', order_id: 'A1', phone: '+91 98765 22222' },
    })
    const rows = (csvPreview.body.csv as { preview: Array<{ phone: { ok: boolean } }> }).preview
    expect(rows.map((row) => row.phone.ok)).toEqual([true, false, true])

    const binary = await uploadCsv(app.payload, 'binary.csv', Buffer.from([0x50, 0, 1, 2]))
    expect((await preview({ audienceType: 'csv', csvFile: binary.id }, editor)).body).toEqual({
      error: 'The file contains binary data (NUL bytes); it is not a CSV.',
      fields: [],
    })
    expect((await preview({ audienceType: 'promo' }, editor)).body).toEqual({
      fields: ['phone', 'name', 'code'],
      firstRow: { name: 'Cara', code: 'SPRING', phone: '+44 7911 123457' },
    })
    expect((await preview({ audienceType: 'nope' }, editor)).body.error).toContain('"nope"')
    await app.payload.create({
      collection: 'whatsapp-contacts',
      data: { account: accountId, attributes: { city: 'Pune' }, phone: '+91 98765 33333' },
    })
    const contacts = await preview({ account: accountId, audienceType: 'contacts' }, editor)
    expect(contacts.body.fields).toEqual(expect.arrayContaining(['name', 'attributes.city']))
    expect(contacts.body.firstRow).toMatchObject({ phone: expect.stringMatching(/^\d+$/) })
    expect((await preview({ audienceType: 'contacts' })).status).toBe(401)
  })

  test('named audience: async iterable, its own phone and name fields, named variables', async () => {
    const campaign = await createCampaign(app.payload, {
      account: accountId,
      audienceType: 'generated',
      parameterMappings: { first_name: 'first' },
      template: templates.welcome_named,
    })
    await runCampaign(app.payload, campaign.id, { wait: true })
    expect(sentTo('919000000001')).toHaveLength(1)
    expect(sentTo('919000000002')).toHaveLength(1)
    expect(sentTo('919000000001')[0].components).toEqual([
      { type: 'body', parameters: [{ type: 'text', parameter_name: 'first_name', text: 'Ann' }] },
    ])
    const { doc, recipients } = await expectCountersMatchRecipients(app.payload, campaign.id)
    expect(doc).toMatchObject({ sentCount: 2, status: 'completed', totalCount: 2 })
    expect(recipients.find((r) => r.phoneNumber === '919000000002')?.name).toBe('Bob B')
  })

  test('header and URL button parameters', async () => {
    const campaign = await createCampaign(app.payload, {
      account: accountId,
      audienceType: 'promo',
      parameterMappings: { '1': 'name', 'button.0.1': 'code', 'header.1': 'name' },
      template: templates.promo_header,
    })
    await runCampaign(app.payload, campaign.id, { wait: true })
    const [message] = sentTo('447911123457')
    expect(message.components).toEqual(
      expect.arrayContaining([
        { type: 'header', parameters: [{ type: 'text', text: 'Cara' }] },
        { type: 'body', parameters: [{ type: 'text', text: 'Cara' }] },
        {
          type: 'button',
          index: '0',
          parameters: [{ type: 'text', text: 'SPRING' }],
          sub_type: 'url',
        },
      ]),
    )
    await expectCountersMatchRecipients(app.payload, campaign.id)
  })

  test('refused before anything is sent: missing mapping, unknown field, unapproved template, CSV without phone', async () => {
    const sentBefore = app.simulator.sent.length
    const unmapped = await createCampaign(app.payload, {
      account: accountId,
      audienceType: 'contacts',
      parameterMappings: { '1': 'name' },
      template: templates.order_update,
    })
    const res = await app.api('POST', `/whatsapp-campaigns/${unmapped.id}/run`, { token: editor })
    expect(res.status).toBe(400)
    expect(String(res.body.error)).toContain('mapping for {{2}} missing')

    const unknownField = await createCampaign(app.payload, {
      account: accountId,
      audienceType: 'promo',
      parameterMappings: { '1': 'nmae', 'button.0.1': 'code', 'header.1': 'name' },
      template: templates.promo_header,
    })
    const res2 = await app.api('POST', `/whatsapp-campaigns/${unknownField.id}/run`, {
      token: editor,
    })
    expect(res2.status).toBe(400)
    expect(String(res2.body.error)).toContain('nmae')

    // Approved when chosen, paused by Meta since.
    const paused = await app.payload.create({
      collection: 'whatsapp-templates',
      data: {
        name: 'soon_paused',
        account: accountId,
        components: [{ type: 'BODY', text: 'Hi' }],
        status: 'APPROVED',
      },
    })
    const pending = await createCampaign(app.payload, {
      account: accountId,
      audienceType: 'contacts',
      template: paused.id,
    })
    await app.payload.update({
      id: paused.id,
      collection: 'whatsapp-templates',
      data: { status: 'PAUSED' },
    })
    const res3 = await app.api('POST', `/whatsapp-campaigns/${pending.id}/run`, { token: editor })
    expect(res3.status).toBe(400)
    expect(String(res3.body.error)).toContain('not approved')

    const noPhone = await uploadCsv(app.payload, 'nophone.csv', 'mobile,name\n123,A\n')
    const csvCampaign = await createCampaign(app.payload, {
      account: accountId,
      audienceType: 'csv',
      csvFile: noPhone.id,
      template: templates.hello_world,
    })
    const res4 = await app.api('POST', `/whatsapp-campaigns/${csvCampaign.id}/run`, {
      token: editor,
    })
    expect(res4.status).toBe(400)
    expect(String(res4.body.error)).toMatch(/phone.*mobile, name/)

    for (const campaign of [unmapped, unknownField, pending, csvCampaign]) {
      expect(
        (await app.payload.findByID({ id: campaign.id, collection: 'whatsapp-campaigns' })).status,
      ).toBe('draft')
    }
    expect(app.simulator.sent.length).toBe(sentBefore)
  })

  test('a named audience whose resolver throws fails the campaign with its message', async () => {
    const campaign = await createCampaign(app.payload, {
      account: accountId,
      audienceType: 'broken',
      template: templates.hello_world,
    })
    const result = await runCampaign(app.payload, campaign.id, { wait: true })
    expect(result.status).toBe('failed')
    const doc = await app.payload.findByID({ id: campaign.id, collection: 'whatsapp-campaigns' })
    expect(doc.error).toContain('the CRM is down')
  })

  test('anonymous users cannot run campaigns', async () => {
    const campaign = await createCampaign(app.payload, {
      account: accountId,
      audienceType: 'contacts',
      template: templates.hello_world,
    })
    expect((await app.api('POST', `/whatsapp-campaigns/${campaign.id}/run`)).status).toBe(401)
    expect(
      (await app.api('POST', `/whatsapp-campaigns/000000000000000000000000/run`, { token: editor }))
        .status,
    ).toBe(404)
  })

  test('webhooks from the simulator, duplicated and out of order, leave exact counters', async () => {
    app.simulator.configure({
      deliveryFailureRate: 0.25,
      duplicateWebhookRate: 0.5,
      shuffleWebhooks: true,
    })
    try {
      const campaign = await createCampaign(app.payload, {
        account: accountId,
        audienceType: 'promo',
        parameterMappings: { '1': 'name', 'button.0.1': 'code', 'header.1': 'name' },
        template: templates.promo_header,
      })
      await runCampaign(app.payload, campaign.id, { wait: true })
      await app.simulator.flushWebhooks()
      await waitForWebhooksApplied(app.payload)
      const { counts, doc } = await expectCountersMatchRecipients(app.payload, campaign.id)
      expect(doc.sentCount).toBe(2)
      expect(counts.read + counts.failed).toBe(2)
    } finally {
      app.simulator.configure({
        deliveryFailureRate: 0,
        duplicateWebhookRate: 0,
        shuffleWebhooks: false,
      })
    }
  })
})
