import { describe, expect, test } from 'vitest'

import type { CampaignState } from '../../src/campaigns/transitions.js'

import {
  allowedActions,
  canTransition,
  transitions,
  userActions,
} from '../../src/campaigns/transitions.js'
import { campaignStatuses } from '../../src/collections/campaignStatuses.js'

const state = (status: string, over: Partial<CampaignState> = {}): CampaignState => ({
  counts: { failed: 0, unknown: 0 },
  scheduledInFuture: false,
  status,
  ...over,
})

describe('campaign transition table', () => {
  test('every row moves between real statuses, and never from a status to itself', () => {
    for (const [action, row] of Object.entries(transitions)) {
      expect(campaignStatuses, action).toContain(row.to)
      for (const from of row.from) {
        expect(campaignStatuses, action).toContain(from)
        expect(from, action).not.toBe(row.to)
      }
    }
  })

  test('cancelled and completed are left only by a retry; cancelled never', () => {
    const leaving = (status: string) =>
      Object.entries(transitions)
        .filter(([action]) => canTransition(action as keyof typeof transitions, status))
        .map(([action]) => action)
        .sort()
    expect(leaving('cancelled')).toEqual([])
    expect(leaving('completed')).toEqual(['retry', 'retry-unknown'])
    expect(leaving('running')).toEqual(['cancel', 'complete', 'fail', 'pause', 'pauseByGuardrail'])
  })

  test('only user actions are offered, and only to users allowed to run campaigns', () => {
    for (const action of userActions) {
      expect(transitions[action].by).toBe('user')
    }
    for (const status of campaignStatuses) {
      expect(allowedActions(state(status, { counts: { failed: 5, unknown: 5 } }), false)).toEqual(
        [],
      )
    }
  })

  test('the buttons per status', () => {
    expect(allowedActions(state('draft'), true)).toEqual(['run', 'cancel'])
    expect(allowedActions(state('draft', { scheduledInFuture: true }), true)).toEqual([
      'schedule',
      'cancel',
    ])
    expect(allowedActions(state('scheduled', { scheduledInFuture: true }), true)).toEqual([
      'pause',
      'cancel',
    ])
    expect(allowedActions(state('running'), true)).toEqual(['pause', 'cancel'])
    expect(allowedActions(state('paused'), true)).toEqual(['resume', 'cancel'])
    expect(allowedActions(state('completed'), true)).toEqual([])
    expect(allowedActions(state('cancelled', { counts: { failed: 1, unknown: 1 } }), true)).toEqual(
      [],
    )
  })

  test('retries are offered when there is something to resend, paused included', () => {
    const counts = { failed: 2, unknown: 1 }
    expect(allowedActions(state('paused', { counts }), true)).toEqual([
      'resume',
      'cancel',
      'retry',
      'retry-unknown',
    ])
    expect(allowedActions(state('paused', { counts: { failed: 0, unknown: 3 } }), true)).toContain(
      'retry-unknown',
    )
    expect(allowedActions(state('completed', { counts }), true)).toEqual(['retry', 'retry-unknown'])
    expect(allowedActions(state('failed', { counts: { failed: 1, unknown: 0 } }), true)).toEqual([
      'retry',
    ])
  })

  test('an action is offered only from a status the table moves it from', () => {
    const counts = { failed: 1, unknown: 1 }
    for (const status of campaignStatuses) {
      for (const scheduledInFuture of [false, true]) {
        for (const action of allowedActions(state(status, { counts, scheduledInFuture }), true)) {
          expect(canTransition(action, status), `${action} from ${status}`).toBe(true)
        }
      }
    }
  })
})
