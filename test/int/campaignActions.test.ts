import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import type { CampaignStatus } from '../../src/collections/campaignStatuses.js'
import type { SendOutcome } from '../../src/store/index.js'

import { transitions, userActions } from '../../src/campaigns/transitions.js'
import { getStore } from '../../src/store/index.js'
import { campaignDoc, createCampaign } from '../helpers/fixtures.js'
import {
  bootWithSimulator,
  setUpEditorAccount,
  type SimulatedApp,
} from '../helpers/simulatorApp.js'

let app: SimulatedApp
let editor: string
let accountId: number | string
let templates: Record<string, number | string>

beforeAll(async () => {
  app = await bootWithSimulator('actions', {
    access: { run: ({ req }) => (req.user as { role?: string } | null)?.role !== 'viewer' },
    queue: false,
  })
  ;({ accountId, editor, templates } = await setUpEditorAccount(app))
})
afterAll(async () => {
  await app?.close()
})

type State = {
  failed?: number
  scheduledInFuture?: boolean
  status: CampaignStatus
  unknown?: number
}

let phoneSeq = 0

/** A campaign left in `state`: its status, recipients failed (retryable) or of unknown outcome. */
const campaignIn = async (state: State): Promise<string> => {
  const campaign = await createCampaign(app.payload, {
    account: accountId,
    // No contact has this label: a run that starts has nothing more to send.
    audienceFilters: { labels: { contains: 'nobody' } },
    audienceType: 'contacts',
    scheduledAt: state.scheduledInFuture ? new Date(Date.now() + 3_600_000).toISOString() : null,
    template: templates.hello_world,
  })
  const id = String(campaign.id)
  const store = getStore(app.payload)
  const outcomes: Array<'failed' | 'unknown'> = [
    ...Array<'failed'>(state.failed ?? 0).fill('failed'),
    ...Array<'unknown'>(state.unknown ?? 0).fill('unknown'),
  ]
  if (outcomes.length > 0) {
    await store.insertRecipients(
      id,
      outcomes.map(() => ({
        phoneNumber: `9197${String(phoneSeq++).padStart(8, '0')}`,
        status: 'pending' as const,
      })),
    )
    const claimed = await store.claimBatch(id, outcomes.length)
    await store.recordOutcomes(
      id,
      claimed.map((r, i): SendOutcome =>
        outcomes[i] === 'failed'
          ? { id: r.id, errorMessage: 'try later', kind: 'failed', retryable: true }
          : { id: r.id, errorMessage: 'timed out', kind: 'unknown' },
      ),
    )
    await store.recount(id)
  }
  await store.updateCampaign(id, { materializedAt: new Date() })
  if (state.status !== 'draft') {
    expect(await store.transition(id, ['draft'], { status: state.status })).toBe(true)
  }
  return id
}

const offered = async (id: string): Promise<string[]> => {
  const { body, status } = await app.api('GET', `/whatsapp-campaigns/${id}/analytics`, {
    token: editor,
  })
  expect(status).toBe(200)
  return body.actions as string[]
}

/** Takes the action as the admin's button does; whether the server accepted it (and it did something). */
const take = async (id: string, action: string) => {
  const path = action === 'retry-unknown' ? 'retry' : action === 'schedule' ? 'run' : action
  const res = await app.api('POST', `/whatsapp-campaigns/${id}/${path}`, {
    body: action === 'retry-unknown' ? { unknown: true } : {},
    token: editor,
  })
  return res
}

/** Buttons whose request is the same as (or includes) this action's. */
const sameRequestAs: Partial<Record<string, string[]>> = {
  'retry-unknown': ['retry'],
  run: ['schedule'],
  schedule: ['run'],
}

const states: State[] = [
  { status: 'draft' },
  { scheduledInFuture: true, status: 'draft' },
  { scheduledInFuture: true, status: 'scheduled' },
  { status: 'running' },
  { status: 'paused' },
  { status: 'paused', unknown: 2 },
  { failed: 2, status: 'paused' },
  { status: 'completed' },
  { failed: 1, status: 'completed', unknown: 1 },
  { failed: 1, status: 'failed' },
  { status: 'cancelled' },
]

describe('the controls offer exactly what the actions accept', () => {
  test.each(states)('%o', async (state) => {
    const actions = await offered(await campaignIn(state))
    for (const action of userActions) {
      // Each action on a fresh campaign in this state.
      const id = await campaignIn(state)
      const res = await take(id, action)
      const doc = await campaignDoc(app.payload, id)
      const expected = transitions[action].to
      if (actions.includes(action)) {
        expect(res.status, `${action} offered, must be accepted`).toBe(200)
        expect(res.body.status, action).toBe(expected)
        if (action === 'retry' || action === 'retry-unknown') {
          expect(res.body.requeued, action).toBeGreaterThan(0)
        }
      } else if (sameRequestAs[action]?.some((other) => actions.includes(other))) {
        // The request an offered button makes (Run and Schedule are both POST /run; Retry
        // unknown also resends what Retry failed resends): covered by that button.
        expect(res.status, action).toBe(200)
      } else {
        // Refused, or (a retry with nothing to resend) accepted without changing anything.
        const refused = res.status === 409
        const noOp = res.status === 200 && res.body.requeued === 0 && doc.status === state.status
        expect(
          refused || noOp,
          `${action} not offered: ${res.status} ${JSON.stringify(res.body)}`,
        ).toBe(true)
      }
    }
  })

  test('a paused campaign with unknown outcomes offers Retry unknown, and retryCampaign takes it', async () => {
    const id = await campaignIn({ status: 'paused', unknown: 3 })
    expect(await offered(id)).toContain('retry-unknown')
    const res = await take(id, 'retry-unknown')
    expect(res.body).toMatchObject({ requeued: 3, status: 'running' })
  })

  test('a user without access.run is offered nothing, and refused', async () => {
    const id = await campaignIn({ failed: 1, status: 'paused' })
    const viewer = await app.login('viewer@example.com', 'viewer')
    const { body } = await app.api('GET', `/whatsapp-campaigns/${id}/analytics`, { token: viewer })
    expect(body).toMatchObject({ actions: [], canRun: false, status: 'paused' })
    expect(
      (await app.api('POST', `/whatsapp-campaigns/${id}/resume`, { token: viewer })).status,
    ).toBe(403)
    expect(await offered(id)).toEqual(['resume', 'cancel', 'retry'])
  })
})
