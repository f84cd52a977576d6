import type { Payload } from 'payload'

import { ValidationError } from 'payload'

import type { ResolvedOptions } from '../options.js'

/** How an opt-out reached us; shown on the contact. */
export const signalVias = [
  'keyword',
  'stop_promotions_button',
  'user_preferences',
  'error_131050',
  'error_131026',
] as const

export type SignalVia = (typeof signalVias)[number]

/**
 * What Meta told us about a person. optOut blocks every template; marketingOptOut blocks
 * MARKETING templates only, and marketingResume undoes just that; undeliverable (131026)
 * suppresses the phone from later campaigns.
 */
export type ContactSignal = {
  at: Date
  kind: 'marketingOptOut' | 'marketingResume' | 'optOut' | 'undeliverable'
  via: SignalVia
}

/** Meta's errors that say something about the person rather than the message. */
const errorSignals: Record<number, Omit<ContactSignal, 'at'>> = {
  131026: { kind: 'undeliverable', via: 'error_131026' },
  131050: { kind: 'marketingOptOut', via: 'error_131050' },
}

const changeOf = ({ at, kind, via }: ContactSignal): Record<string, unknown> => {
  const when = at.toISOString()
  switch (kind) {
    case 'marketingOptOut':
      return { marketingOptOut: true, marketingOptOutAt: when, marketingOptOutVia: via }
    case 'marketingResume':
      return { marketingOptOut: false, marketingOptOutAt: null, marketingOptOutVia: null }
    case 'optOut':
      return { optedOut: true, optedOutAt: when, optedOutVia: via }
    case 'undeliverable':
      return { undeliverable: true, undeliverableAt: when }
  }
}

/** The flag each signal sets. */
const flagOf: Record<ContactSignal['kind'], [string, boolean]> = {
  marketingOptOut: ['marketingOptOut', true],
  marketingResume: ['marketingOptOut', false],
  optOut: ['optedOut', true],
  undeliverable: ['undeliverable', true],
}

/**
 * Applies a signal to the account's contacts with these phones (E.164 digits). A phone with no
 * contact gets one for opt-outs and undeliverability, so CSV and named audiences skip it too.
 */
export const applyContactSignal = async (
  payload: Payload,
  options: ResolvedOptions,
  accountId: number | string,
  people: Array<{ name?: string; phone: string }>,
  signal: ContactSignal,
): Promise<void> => {
  if (people.length === 0) {
    return
  }
  const [flag, value] = flagOf[signal.kind]
  const phones = [...new Set(people.map((p) => p.phone))]
  // Only the signal's own fields are written (no read-modify-write of the whole contact), so
  // signals about one person arriving at once do not undo each other. Contacts that already
  // carry the flag keep it, and its first date.
  const mark = (list: string[]) =>
    payload.db.updateMany({
      collection: options.slugs.contacts,
      data: changeOf(signal),
      returning: false,
      where: {
        and: [
          { account: { equals: accountId } },
          { normalizedPhone: { in: list } },
          value
            ? { or: [{ [flag]: { equals: false } }, { [flag]: { exists: false } }] }
            : { [flag]: { equals: true } },
        ],
      },
    })
  await mark(phones)
  if (signal.kind === 'marketingResume') {
    return
  }
  const { docs } = await payload.find({
    collection: options.slugs.contacts,
    depth: 0,
    pagination: false,
    select: { normalizedPhone: true },
    where: { and: [{ account: { equals: accountId } }, { normalizedPhone: { in: phones } }] },
  })
  const known = new Set(docs.map((doc) => String(doc.normalizedPhone)))
  for (const phone of phones.filter((p) => !known.has(p))) {
    const name = people.find((p) => p.phone === phone)?.name
    try {
      await payload.create({
        collection: options.slugs.contacts,
        data: { ...changeOf(signal), account: accountId, displayName: name, phone: `+${phone}` },
      })
    } catch (error) {
      // Created meanwhile by another webhook: mark that one instead.
      if (!(error instanceof ValidationError)) {
        throw error
      }
      await mark([phone])
    }
  }
}

/** Marks the contacts of recipients Meta refused with 131050 (stopped marketing) or 131026 (undeliverable). */
export const applyErrorSignals = async (
  payload: Payload,
  options: ResolvedOptions,
  accountId: number | string,
  failures: Array<{ code?: number; phone: string }>,
  at: Date,
): Promise<void> => {
  for (const [code, signal] of Object.entries(errorSignals)) {
    const people = failures.filter((f) => f.code === Number(code)).map((f) => ({ phone: f.phone }))
    await applyContactSignal(payload, options, accountId, people, { ...signal, at })
  }
}
