import type { Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'

export type WebhookAccount = {
  appSecret?: null | string
  displayPhoneNumber?: null | string
  id: number | string
  name?: string
  phoneNumberId: string
  verifyToken?: null | string
  wabaId: string
}

/** Every account, by phone number id and by WABA id, secrets decrypted once per load. */
export type AccountTable = {
  accounts: WebhookAccount[]
  byPhoneNumberId: Map<string, WebhookAccount>
  byWabaId: Map<string, WebhookAccount>
}

type Cached = { loadedAt: number; table: Promise<AccountTable> }

const tables = new WeakMap<Payload, Cached>()

/** A miss or a bad signature reloads at most this often, so bad requests cannot drive loads. */
const reloadAtMostEveryMs = 1000

const load = async (payload: Payload, options: ResolvedOptions): Promise<AccountTable> => {
  const { docs } = await payload.find({
    collection: options.slugs.accounts,
    depth: 0,
    pagination: false,
    showHiddenFields: true,
  })
  const accounts = docs as unknown as WebhookAccount[]
  return {
    accounts,
    byPhoneNumberId: new Map(accounts.map((a) => [a.phoneNumberId, a])),
    byWabaId: new Map(accounts.map((a) => [a.wabaId, a])),
  }
}

const loadInto = (payload: Payload, options: ResolvedOptions) => {
  const cached: Cached = { loadedAt: Date.now(), table: load(payload, options) }
  // A failed load is not kept: the next request loads again.
  cached.table.catch(() => tables.get(payload) === cached && tables.delete(payload))
  tables.set(payload, cached)
  return cached.table
}

/** The account table, loaded on first use and kept until an account changes. */
export const webhookAccounts = (payload: Payload, options: ResolvedOptions) =>
  tables.get(payload)?.table ?? loadInto(payload, options)

/**
 * The table after an account was not found or did not sign: reloaded (another process may have
 * changed the accounts), unless it was loaded within the last second.
 */
export const reloadWebhookAccounts = (payload: Payload, options: ResolvedOptions) => {
  const cached = tables.get(payload)
  return cached && Date.now() - cached.loadedAt < reloadAtMostEveryMs
    ? cached.table
    : loadInto(payload, options)
}

/** An account was created, changed or deleted in this process: the next request reloads. */
export const forgetWebhookAccounts = (payload: Payload): void => {
  tables.delete(payload)
}
