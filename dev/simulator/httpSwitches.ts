import type http from 'node:http'

import type {
  AccountUpdateArgs,
  CategoryUpdateArgs,
  QualityUpdateArgs,
  SimulatorOptions,
  TemplateStatusArgs,
} from './types.js'

type ErrorSwitches = Pick<
  SimulatorOptions,
  'errorCodesByNumber' | 'errorCodesByPhone' | 'errorCodesByTemplate'
>

/** What the HTTP switches drive: the simulator's own methods. */
export type SimulatorSwitches = {
  errors: () => ErrorSwitches
  simulator: {
    configure(options: Partial<SimulatorOptions>): void
    flushWebhooks(): Promise<void>
    sendAccountUpdate(args: AccountUpdateArgs): void
    sendCategoryUpdate(args: CategoryUpdateArgs): void
    sendQualityUpdate(args: QualityUpdateArgs): void
    sendTemplateStatusUpdate(args: TemplateStatusArgs): void
  }
}

class SwitchError extends Error {}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

/** A time given as Unix seconds or an ISO date. */
const time = (value: unknown, name: string): Date | undefined => {
  if (value === undefined || value === null) {
    return undefined
  }
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value as string)
  if (Number.isNaN(date.getTime())) {
    throw new SwitchError(`"${name}" must be Unix seconds or an ISO date.`)
  }
  return date
}

const required = (body: Record<string, unknown>, ...names: string[]) => {
  const missing = names.filter((name) => typeof body[name] !== 'string' || body[name] === '')
  if (missing.length > 0) {
    throw new SwitchError(`Missing ${missing.map((name) => `"${name}"`).join(', ')}.`)
  }
}

const codes = (value: unknown, name: string): Record<string, number> => {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new SwitchError(
      `"${name}" must be an object of error codes, e.g. {"100000000000777": 368}.`,
    )
  }
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.some(([, code]) => typeof code !== 'number')) {
    throw new SwitchError(`"${name}" must map each key to a numeric Meta error code.`)
  }
  return Object.fromEntries(entries) as Record<string, number>
}

/** POST bodies of the webhook switches, each turned into the simulator method's arguments. */
const webhookSwitches: Record<
  string,
  (simulator: SimulatorSwitches['simulator'], body: Record<string, unknown>) => void
> = {
  'account-update': (simulator, body) => {
    required(body, 'wabaId', 'event')
    const restrictions = Array.isArray(body.restrictions)
      ? body.restrictions.map((item, i) => {
          const r = (item ?? {}) as Record<string, unknown>
          if (typeof r.type !== 'string') {
            throw new SwitchError(`restrictions[${i}] needs a "type".`)
          }
          return { type: r.type, expiration: time(r.expiration, `restrictions[${i}].expiration`) }
        })
      : undefined
    simulator.sendAccountUpdate({
      banState: typeof body.banState === 'string' ? body.banState : undefined,
      event: String(body.event),
      restrictions,
      time: time(body.time, 'time'),
      violationType: typeof body.violationType === 'string' ? body.violationType : undefined,
      wabaId: String(body.wabaId),
    })
  },
  'category-update': (simulator, body) => {
    required(body, 'wabaId', 'templateName', 'newCategory')
    simulator.sendCategoryUpdate({
      effectiveAt: time(body.effectiveAt, 'effectiveAt'),
      language: typeof body.language === 'string' ? body.language : 'en_US',
      newCategory: String(body.newCategory),
      previousCategory:
        typeof body.previousCategory === 'string' ? body.previousCategory : undefined,
      templateName: String(body.templateName),
      time: time(body.time, 'time'),
      wabaId: String(body.wabaId),
    })
  },
  'quality-update': (simulator, body) => {
    required(body, 'phoneNumberId', 'event')
    simulator.sendQualityUpdate({
      currentLimit: typeof body.currentLimit === 'string' ? body.currentLimit : undefined,
      event: String(body.event),
      phoneNumberId: String(body.phoneNumberId),
      qualityScore: typeof body.qualityScore === 'string' ? body.qualityScore : undefined,
      time: time(body.time, 'time'),
    })
  },
  'template-status': (simulator, body) => {
    required(body, 'wabaId', 'templateName', 'event')
    simulator.sendTemplateStatusUpdate({
      event: String(body.event),
      language: typeof body.language === 'string' ? body.language : 'en_US',
      reason: typeof body.reason === 'string' ? body.reason : undefined,
      templateName: String(body.templateName),
      time: time(body.time, 'time'),
      wabaId: String(body.wabaId),
    })
  },
}

const errorKeys = ['errorCodesByNumber', 'errorCodesByPhone', 'errorCodesByTemplate'] as const

/**
 * The simulator's switches over HTTP, for `npm run dev` demonstrations and tests:
 * `GET|POST /simulator/errors` reads or replaces the forced error codes (by number, phone,
 * template); `POST /simulator/webhooks/{quality-update,category-update,account-update,
 * template-status}` posts that signed webhook to the app and answers once it was delivered.
 */
export const handleSwitch = async (
  switches: SimulatorSwitches,
  method: string,
  pathname: string,
  raw: Buffer,
  res: http.ServerResponse,
) => {
  try {
    let body: Record<string, unknown> = {}
    if (raw.length > 0) {
      const parsed = JSON.parse(raw.toString('utf8')) as unknown
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new SwitchError('The body must be a JSON object.')
      }
      body = parsed as Record<string, unknown>
    }
    if (pathname === '/simulator/errors' && (method === 'GET' || method === 'POST')) {
      if (method === 'POST') {
        const change: ErrorSwitches = {}
        for (const key of errorKeys) {
          if (body[key] !== undefined) {
            change[key] = codes(body[key], key)
          }
        }
        switches.simulator.configure(change)
      }
      return json(res, 200, switches.errors())
    }
    const webhook = /^\/simulator\/webhooks\/([a-z-]+)$/.exec(pathname)
    const post = webhook ? webhookSwitches[webhook[1]] : undefined
    if (method === 'POST' && post) {
      post(switches.simulator, body)
      await switches.simulator.flushWebhooks()
      return json(res, 200, { delivered: true })
    }
    return json(res, 404, {
      error: `No switch ${method} ${pathname}. Switches: GET|POST /simulator/errors, POST /simulator/webhooks/{${Object.keys(webhookSwitches).join(',')}}.`,
    })
  } catch (error) {
    const known = error instanceof SwitchError || error instanceof SyntaxError
    return json(res, 400, {
      error: known ? error.message : `The switch failed: ${(error as Error).message}`,
    })
  }
}
