import type { Payload } from 'payload'

import type { CampaignPatch } from '../store/index.js'
import type { CampaignAction } from './transitions.js'

import { getStore } from '../store/index.js'
import { fromStatuses, transitions } from './transitions.js'

/**
 * Applies one row of the transition table by an atomic compare-and-set of the status; false
 * when the campaign's status was not one the action moves from (someone else moved it first).
 */
export const moveCampaign = (
  payload: Payload,
  campaignId: string,
  action: CampaignAction,
  patch: CampaignPatch = {},
): Promise<boolean> =>
  getStore(payload).transition(campaignId, fromStatuses(action), {
    ...patch,
    status: transitions[action].to,
  })
