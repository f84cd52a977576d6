import type { CollectionConfig, Field } from 'payload'

import type { ResolvedOptions } from '../options.js'

import { messagingTiers, tierLabel } from '../meta/messagingTiers.js'
import { adminGroup } from './adminGroup.js'
import { createSecretCipher } from './secretCipher.js'

export const secretFieldNames = ['accessToken', 'appSecret'] as const
export type SecretFieldName = (typeof secretFieldNames)[number]

/**
 * A secret is stored in a hidden field (never returned by any read unless code asks for
 * `showHiddenFields`) and written through a virtual write-only input, so the admin form can
 * set it without ever receiving it back.
 */
const secretFields = (name: SecretFieldName, label: string): Field[] => [
  { name, type: 'text', hidden: true },
  {
    name: `${name}Input`,
    type: 'text',
    admin: {
      autoComplete: 'off',
      description: `Write-only: leave empty to keep the stored ${label.toLowerCase()}.`,
    },
    hooks: { afterRead: [() => ''] },
    label,
    virtual: true,
  },
  {
    name: `${name}IsSet`,
    type: 'checkbox',
    admin: { readOnly: true },
    label: `${label} is set`,
    virtual: true,
  },
]

/** Written by Meta's webhooks; each clock orders the webhooks of its kind (they come reordered). */
const signal = (field: Field): Field =>
  ({
    ...field,
    admin: { ...field.admin, readOnly: true },
  }) as Field

const signalFields: Field[] = [
  signal({
    name: 'qualityRating',
    type: 'select',
    options: ['GREEN', 'YELLOW', 'RED', 'UNKNOWN'],
  }),
  signal({ name: 'qualityEvent', type: 'text', label: 'Last quality event' }),
  signal({
    name: 'reportedMessagingLimit',
    type: 'text',
    admin: { description: 'The messaging limit Meta last reported for the number (e.g. TIER_2K).' },
  }),
  signal({
    name: 'qualityUpdatedAt',
    type: 'date',
    admin: { date: { pickerAppearance: 'dayAndTime' } },
  }),
  signal({
    name: 'restriction',
    type: 'text',
    admin: { description: 'Restrictions Meta placed on the WhatsApp Business Account.' },
  }),
  signal({
    name: 'restrictedUntil',
    type: 'date',
    admin: { date: { pickerAppearance: 'dayAndTime' } },
  }),
  signal({
    name: 'restrictionUpdatedAt',
    type: 'date',
    admin: { date: { pickerAppearance: 'dayAndTime' } },
  }),
  signal({
    name: 'banState',
    type: 'text',
    admin: { description: 'DISABLE, REINSTATE, SCHEDULE_FOR_DISABLE, DELETED.' },
  }),
  signal({
    name: 'banUpdatedAt',
    type: 'date',
    admin: { date: { pickerAppearance: 'dayAndTime' } },
  }),
  signal({ name: 'violationType', type: 'text' }),
  signal({
    name: 'violationUpdatedAt',
    type: 'date',
    admin: { date: { pickerAppearance: 'dayAndTime' } },
  }),
]

export const accountsCollection = (options: ResolvedOptions): CollectionConfig => {
  const cipher = createSecretCipher(options.encryptionKey)
  return {
    slug: options.slugs.accounts,
    access: {
      create: options.access.update,
      delete: options.access.update,
      read: options.access.read,
      update: options.access.update,
    },
    admin: {
      defaultColumns: ['name', 'phoneNumberId', 'wabaId', 'messagesPerSecond', 'messagingLimit'],
      group: adminGroup,
      useAsTitle: 'name',
    },
    fields: [
      { name: 'name', type: 'text', required: true },
      {
        name: 'phoneNumberId',
        type: 'text',
        admin: { description: 'The Cloud API phone number ID (digits), not the phone number.' },
        index: true,
        required: true,
        validate: (value: null | string | undefined) =>
          typeof value === 'string' && /^\d{5,20}$/.test(value)
            ? true
            : 'Phone number ID must be the digits Meta shows for the number (5 to 20 digits).',
      },
      {
        name: 'wabaId',
        type: 'text',
        label: 'WhatsApp Business Account ID',
        required: true,
        validate: (value: null | string | undefined) =>
          typeof value === 'string' && /^\d{5,20}$/.test(value)
            ? true
            : 'WhatsApp Business Account ID must be digits (5 to 20).',
      },
      ...secretFields('accessToken', 'Access token'),
      ...secretFields('appSecret', 'App secret'),
      {
        name: 'verifyToken',
        type: 'text',
        admin: { description: 'The token you enter in Meta’s webhook settings.' },
      },
      {
        name: 'displayPhoneNumber',
        type: 'text',
        admin: {
          description:
            'The number as Meta displays it (e.g. 15550783881): quality webhooks name the number by it.',
        },
      },
      {
        type: 'collapsible',
        admin: { initCollapsed: false, position: 'sidebar' },
        fields: signalFields,
        label: 'Signals from Meta',
      },
      {
        name: 'messagesPerSecond',
        type: 'number',
        admin: { description: 'Meta’s throughput for this number; all campaigns share it.' },
        defaultValue: 80,
        max: 1000,
        min: 1,
        required: true,
      },
      {
        name: 'portfolioId',
        type: 'text',
        admin: {
          description:
            'The Meta business portfolio that owns this number’s WhatsApp Business Account. Numbers of one portfolio share its messaging limit. Filled by Sync; empty counts this WABA’s numbers together.',
        },
        index: true,
        label: 'Business portfolio ID',
      },
      {
        name: 'messagingLimit',
        type: 'select',
        admin: {
          description:
            'Meta’s messaging limit: unique recipients of business-initiated messages the portfolio may reach in a moving 24 hours. Campaigns wait when it is reached. Filled by Sync; empty sets no limit.',
        },
        label: 'Messaging limit (tier)',
        options: messagingTiers.map((tier) => ({ label: tierLabel(tier), value: tier })),
      },
      {
        name: 'messagingLimitSyncedAt',
        type: 'date',
        admin: {
          condition: (data) => Boolean(data?.messagingLimitSyncedAt),
          date: { pickerAppearance: 'dayAndTime' },
          readOnly: true,
        },
        label: 'Messaging limit synced at',
      },
    ],
    hooks: {
      // Runs on the stored document, before hidden fields are stripped from what is returned.
      beforeChange: [
        ({ data }) => {
          // Move write-only inputs into the stored secrets; an empty input keeps the old value.
          for (const name of secretFieldNames) {
            const input = data[`${name}Input`]
            if (typeof input === 'string' && input.trim() !== '') {
              data[name] = input.trim()
            }
            delete data[`${name}Input`]
            // Plain values (new, or read back decrypted for this update) are stored encrypted.
            if (typeof data[name] === 'string' && data[name] !== '') {
              data[name] = cipher.encrypt(data[name])
            }
          }
          return data
        },
      ],
      // Secrets are only present when the caller asked for hidden fields (server code).
      afterRead: [
        ({ doc }) => {
          for (const name of secretFieldNames) {
            if (typeof doc[name] === 'string') {
              doc[name] = cipher.decrypt(doc[name])
            }
          }
          return doc
        },
      ],
      beforeRead: [
        ({ doc }) => {
          for (const name of secretFieldNames) {
            doc[`${name}IsSet`] = Boolean(doc[name])
          }
          return doc
        },
      ],
    },
    labels: { plural: 'Accounts', singular: 'Account' },
  }
}
