import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { runCampaign } from '../../src/index.js'
import { campaignDoc, createCampaign, expectCountersMatchRecipients } from '../helpers/fixtures.js'
import {
  bootWithSimulator,
  setUpEditorAccount,
  type SimulatedApp,
} from '../helpers/simulatorApp.js'

let app: SimulatedApp
let editor: string
let accountId: number | string
let templates: Record<string, number | string>

const actions = ['run', 'pause', 'resume', 'cancel', 'retry'] as const

beforeAll(async () => {
  app = await bootWithSimulator('bad_api_input', {
    audiences: {
      messy: {
        fields: ['phone', 'name'],
        resolve: () =>
          Promise.resolve([
            { name: 'Good', phone: '+91 90000 00101' },
            null,
            42,
            'a string',
            { name: 'No phone' },
            { name: 'Bad phone', phone: 'call me' },
            { name: 'Good twice', phone: '0091 90000 00101' },
            { name: 'Also good', phone: '+91 90000 00102' },
          ] as unknown as Record<string, unknown>[]),
      },
    },
    collections: {
      audienceFiles: { upload: { staticDir: path.join(os.tmpdir(), `wa-bad-${process.pid}`) } },
    },
    maxCsvBytes: 2000,
    queue: false,
  })
  ;({ accountId, editor, templates } = await setUpEditorAccount(app))
})
afterAll(async () => {
  await app?.close()
})

/** What a refused action could have touched (delivery and read counts move with webhooks). */
const snapshot = async (id: string) => {
  const doc = await campaignDoc(app.payload, id)
  const recipients = await app.payload.count({
    collection: 'whatsapp-campaign-recipients',
    where: { campaign: { equals: id } },
  })
  return {
    completedAt: doc.completedAt,
    error: doc.error,
    failedCount: doc.failedCount,
    materializedAt: doc.materializedAt,
    pausedAt: doc.pausedAt,
    recipients: recipients.totalDocs,
    sentCount: doc.sentCount,
    startedAt: doc.startedAt,
    status: doc.status,
    totalCount: doc.totalCount,
    unknownCount: doc.unknownCount,
  }
}

describe('chaos: bad API input gets a clear error and changes nothing', () => {
  test('unknown campaign ids, well-formed or not: 404 for every action', async () => {
    for (const id of ['000000000000000000000000', 'not-an-id', '%00']) {
      for (const action of actions) {
        const response = await app.api('POST', `/whatsapp-campaigns/${id}/${action}`, {
          token: editor,
        })
        expect(response.status, `${action} ${id}`).toBe(404)
        expect(response.body.error).toMatch(/not found/)
      }
    }
    const analytics = await app.api('GET', '/whatsapp-campaigns/not-an-id/analytics', {
      token: editor,
    })
    expect(analytics.status).toBe(404)
  })

  test('an action the campaign state does not allow: 409 naming the state, nothing changed', async () => {
    const draft = await createCampaign(app.payload, {
      account: accountId,
      audienceType: 'messy',
      template: templates.hello_world,
    })
    const id = String(draft.id)
    const before = await snapshot(id)
    for (const action of ['pause', 'resume', 'retry'] as const) {
      const response = await app.api('POST', `/whatsapp-campaigns/${id}/${action}`, {
        token: editor,
      })
      expect(response.status, action).toBe(409)
      expect(response.body.error).toContain('a campaign that is draft')
    }
    expect(await snapshot(id)).toEqual(before)

    await runCampaign(app.payload, id, { wait: true })
    const completed = await snapshot(id)
    expect(completed.status).toBe('completed')
    for (const action of ['run', 'pause', 'resume', 'cancel'] as const) {
      const response = await app.api('POST', `/whatsapp-campaigns/${id}/${action}`, {
        token: editor,
      })
      expect(response.status, action).toBe(409)
      expect(response.body.error).toContain('a campaign that is completed')
    }
    expect(await snapshot(id)).toEqual(completed)
  })

  test('an audience key no config registers: refused on create, nothing stored', async () => {
    const before = await app.payload.count({ collection: 'whatsapp-campaigns' })
    const response = await app.api('POST', '/whatsapp-campaigns', {
      body: {
        name: 'ghost',
        account: accountId,
        audienceType: 'ghost',
        template: templates.hello_world,
      },
      token: editor,
    })
    expect(response.status).toBe(400)
    expect(JSON.stringify(response.body)).toContain('Audience')
    expect((await app.payload.count({ collection: 'whatsapp-campaigns' })).totalDocs).toBe(
      before.totalDocs,
    )
  })

  test('a named audience yielding bad rows: each bad row fails alone with its reason, the rest are sent once', async () => {
    const sentBefore = app.simulator.sent.length
    const campaign = await createCampaign(app.payload, {
      account: accountId,
      audienceType: 'messy',
      template: templates.hello_world,
    })
    const result = await runCampaign(app.payload, campaign.id, { wait: true })
    expect(result.status).toBe('completed')
    const sent = app.simulator.sent.slice(sentBefore).map((message) => message.to)
    expect(sent.sort()).toEqual(['919000000101', '919000000102'])
    const { doc, recipients } = await expectCountersMatchRecipients(app.payload, campaign.id)
    expect(doc).toMatchObject({ failedCount: 5, sentCount: 2 })
    const failures = recipients.filter((r) => r.status === 'failed')
    expect(failures).toHaveLength(5)
    for (const failure of failures) {
      expect(String(failure.errorMessage)).toMatch(/phone/i)
    }
  })
  test('audience uploads: CSV only, within the size limit; refused files are not stored', async () => {
    const upload = async (name: string, type: string, content: Buffer | string) => {
      const form = new FormData()
      form.append('file', new Blob([content], { type }), name)
      form.append('_payload', '{}')
      const response = await fetch(`${app.rest.url}/api/whatsapp-audience-files`, {
        body: form,
        headers: { authorization: `JWT ${editor}` },
        method: 'POST',
      })
      return { body: await response.text(), status: response.status }
    }
    const before = await app.payload.count({ collection: 'whatsapp-audience-files' })
    const png = await upload('list.png', 'image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47]))
    expect(png.status).toBe(400)
    const renamed = await upload('list.exe', 'text/csv', 'phone\n+919000000001\n')
    expect(renamed.status).toBe(400)
    expect(renamed.body).toContain('must be .csv')
    const big = await upload('big.csv', 'text/csv', `phone\n${'+919000000001\n'.repeat(200)}`)
    expect(big.status).toBe(413)
    expect(big.body).toContain('the limit is 2000 bytes')
    expect((await app.payload.count({ collection: 'whatsapp-audience-files' })).totalDocs).toBe(
      before.totalDocs,
    )
    const ok = await upload('list.csv', 'text/csv', 'phone\n+919000000001\n')
    expect(ok.status).toBe(201)
  })
})
