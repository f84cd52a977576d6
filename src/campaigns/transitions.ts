import type { CampaignStatus } from '../collections/campaignStatuses.js'

/**
 * Who moves a campaign: `user` is anyone the `access.run` option allows (REST, the admin
 * controls, the exported functions), `schedule` its start time coming due, `edit` an edit of
 * the campaign document, `engine` the pipeline reporting how a run ended.
 */
export type Actor = 'edit' | 'engine' | 'schedule' | 'user'

type Transition = { by: Actor; from: readonly CampaignStatus[]; to: CampaignStatus }

/** Every status change of a campaign: from which statuses, to which, and who may make it. */
export const transitions = {
  cancel: { by: 'user', from: ['draft', 'scheduled', 'running', 'paused'], to: 'cancelled' },
  /** Nothing left to send. */
  complete: { by: 'engine', from: ['running'], to: 'completed' },
  fail: { by: 'engine', from: ['running'], to: 'failed' },
  pause: { by: 'user', from: ['running', 'scheduled'], to: 'paused' },
  /**
   * A guardrail stopped it: Meta refused its account, number or template (by an error or a
   * template status webhook), restricted or disabled its account, rated its number RED, or too
   * many of its sends failed. A scheduled campaign is held too, so it does not start into the
   * stop. Stays until fixed and resumed (a restriction: until it expires).
   */
  pauseByGuardrail: { by: 'engine', from: ['running', 'scheduled'], to: 'paused' },
  /** A restriction that paused it expired or was lifted, and its start time is ahead. */
  rescheduleBySignal: { by: 'engine', from: ['paused'], to: 'scheduled' },
  resume: { by: 'user', from: ['paused'], to: 'running' },
  /** A restriction that paused it expired or was lifted, and nothing else holds its account. */
  resumeBySignal: { by: 'engine', from: ['paused'], to: 'running' },
  /** Resends recipients that failed for a temporary reason. */
  retry: { by: 'user', from: ['completed', 'paused', 'failed'], to: 'running' },
  /** Resends recipients whose outcome is unknown (they may get the message twice). */
  'retry-unknown': { by: 'user', from: ['completed', 'paused', 'failed'], to: 'running' },
  run: { by: 'user', from: ['draft', 'scheduled'], to: 'running' },
  schedule: { by: 'user', from: ['draft'], to: 'scheduled' },
  start: { by: 'schedule', from: ['scheduled'], to: 'running' },
  /** scheduledAt cleared on a scheduled campaign. */
  unschedule: { by: 'edit', from: ['scheduled'], to: 'draft' },
} as const satisfies Record<string, Transition>

export type CampaignAction = keyof typeof transitions

/** The actions a user (with `access.run`) takes, in the order the admin shows them. */
export const userActions = [
  'run',
  'schedule',
  'resume',
  'pause',
  'cancel',
  'retry',
  'retry-unknown',
] as const satisfies readonly CampaignAction[]

export type UserAction = (typeof userActions)[number]

/** The statuses `action` moves a campaign from. */
export const fromStatuses = (action: CampaignAction): CampaignStatus[] => [
  ...transitions[action].from,
]

export const canTransition = (action: CampaignAction, status: string | undefined): boolean =>
  (transitions[action].from as readonly string[]).includes(String(status))

export type CampaignState = {
  counts: { failed: number; unknown: number }
  /** Whether the saved scheduledAt is in the future: Run then schedules instead. */
  scheduledInFuture: boolean
  status: string
}

/**
 * What a user may do to the campaign now: the table's actions from its status, Run or Schedule
 * by its scheduledAt, and a retry only when it has recipients to resend. Empty without `access.run`.
 */
export const allowedActions = (state: CampaignState, canRun: boolean): UserAction[] => {
  if (!canRun) {
    return []
  }
  return userActions.filter((action) => {
    if (!canTransition(action, state.status)) {
      return false
    }
    switch (action) {
      case 'retry':
        return state.counts.failed > 0
      case 'retry-unknown':
        return state.counts.unknown > 0
      case 'run':
        // With a start time ahead, Run schedules: offered as Schedule.
        return !state.scheduledInFuture
      case 'schedule':
        return state.scheduledInFuture
      default:
        return true
    }
  })
}
