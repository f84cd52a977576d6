import type { CollectionConfig } from 'payload'

import { ValidationError } from 'payload'

import type { ResolvedOptions } from '../options.js'

import { signalVias } from '../audience/contactSignals.js'
import { normalizePhone } from '../audience/normalizePhone.js'
import { adminGroup } from './adminGroup.js'
import { InFlightKeys } from './inFlightKeys.js'
import { relationId } from './relationId.js'

export const contactsCollection = (options: ResolvedOptions): CollectionConfig => {
  const inFlight = new InFlightKeys()
  const uniqueKey = (account: string, phone: string) => `${account}:${phone}`

  return {
    slug: options.slugs.contacts,
    access: {
      create: options.access.update,
      delete: options.access.update,
      read: options.access.read,
      update: options.access.update,
    },
    admin: {
      defaultColumns: [
        'displayName',
        'normalizedPhone',
        'labels',
        'optedOut',
        'marketingOptOut',
        'undeliverable',
      ],
      group: adminGroup,
      listSearchableFields: ['displayName', 'normalizedPhone', 'phone'],
      useAsTitle: 'displayName',
    },
    fields: [
      {
        name: 'account',
        type: 'relationship',
        index: true,
        relationTo: options.slugs.accounts,
        required: true,
      },
      {
        name: 'phone',
        type: 'text',
        admin: { description: `Local numbers get +${options.defaultCountryCode}.` },
        required: true,
        validate: (value: null | string | undefined) => {
          const result = normalizePhone(value, options.defaultCountryCode)
          return result.ok ? true : result.error
        },
      },
      {
        name: 'normalizedPhone',
        type: 'text',
        admin: { description: 'E.164 digits, derived from the phone.', readOnly: true },
        index: true,
      },
      { name: 'displayName', type: 'text' },
      { name: 'labels', type: 'text', hasMany: true, index: true },
      {
        name: 'attributes',
        type: 'json',
        admin: { description: 'Free fields, available to parameter mappings as attributes.x' },
        validate: (value: unknown) =>
          value === undefined ||
          value === null ||
          (typeof value === 'object' && !Array.isArray(value))
            ? true
            : 'Attributes must be a JSON object.',
      },
      {
        name: 'optedOut',
        type: 'checkbox',
        admin: { description: 'Receives no template at all (a STOP keyword, or set here).' },
        defaultValue: false,
        index: true,
      },
      { name: 'optedOutAt', type: 'date', admin: { readOnly: true } },
      {
        name: 'optedOutVia',
        type: 'select',
        admin: { readOnly: true },
        options: [...signalVias, 'admin'],
      },
      {
        name: 'marketingOptOut',
        type: 'checkbox',
        admin: {
          description: 'Stopped marketing messages: MARKETING templates are not sent; others are.',
          readOnly: true,
        },
        defaultValue: false,
        index: true,
      },
      { name: 'marketingOptOutAt', type: 'date', admin: { readOnly: true } },
      {
        name: 'marketingOptOutVia',
        type: 'select',
        admin: { readOnly: true },
        options: [...signalVias],
      },
      {
        name: 'undeliverable',
        type: 'checkbox',
        admin: {
          description:
            'Meta answered 131026 (not on WhatsApp, or unreachable): skipped by campaigns.',
          readOnly: true,
        },
        defaultValue: false,
        index: true,
      },
      { name: 'undeliverableAt', type: 'date', admin: { readOnly: true } },
      { name: 'isBlocked', type: 'checkbox', defaultValue: false, index: true },
    ],
    hooks: {
      afterChange: [
        ({ doc }) => {
          inFlight.release(uniqueKey(relationId(doc.account) ?? '', String(doc.normalizedPhone)))
          return doc
        },
      ],
      beforeChange: [
        async ({ data, originalDoc, req }) => {
          const account = relationId(data.account ?? originalDoc?.account)
          const phone = data.phone ?? originalDoc?.phone
          const normalized = normalizePhone(phone, options.defaultCountryCode)
          if (!normalized.ok || !account) {
            return data
          }
          data.normalizedPhone = normalized.phone
          if (data.optedOut === true && !originalDoc?.optedOut) {
            data.optedOutAt ??= new Date().toISOString()
            data.optedOutVia ??= 'admin'
          } else if (data.optedOut === false && originalDoc?.optedOut) {
            data.optedOutAt = null
            data.optedOutVia = null
          }
          if (
            originalDoc &&
            originalDoc.normalizedPhone === normalized.phone &&
            relationId(originalDoc.account) === account
          ) {
            return data
          }
          const key = uniqueKey(account, normalized.phone)
          const existing = await req.payload.count({
            collection: options.slugs.contacts,
            req,
            where: {
              and: [
                { account: { equals: account } },
                { normalizedPhone: { equals: normalized.phone } },
                ...(originalDoc?.id ? [{ id: { not_equals: originalDoc.id } }] : []),
              ],
            },
          })
          if (existing.totalDocs > 0 || !inFlight.claim(key)) {
            throw new ValidationError({
              collection: options.slugs.contacts,
              errors: [
                {
                  message: `A contact with the phone +${normalized.phone} already exists for this account.`,
                  path: 'phone',
                },
              ],
            })
          }
          return data
        },
      ],
    },
    indexes: [{ fields: ['account', 'normalizedPhone'], unique: true }],
    labels: { plural: 'Contacts', singular: 'Contact' },
  }
}
