import type { CollectionConfig } from 'payload'

import type { ResolvedOptions } from '../options.js'

import { extractTemplateVariables } from '../audience/templateVariables.js'
import { adminGroup } from './adminGroup.js'

export const templateStatuses = ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED'] as const
export type TemplateStatus = (typeof templateStatuses)[number]

export const templateCategories = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const

/** Written by Meta's webhooks; each clock orders the webhooks of its kind (they come reordered). */
const fromWebhooks = { position: 'sidebar', readOnly: true } as const

export const templatesCollection = (options: ResolvedOptions): CollectionConfig => ({
  slug: options.slugs.templates,
  access: {
    create: options.access.update,
    delete: options.access.update,
    read: options.access.read,
    update: options.access.update,
  },
  admin: {
    components: {
      beforeListTable: [
        {
          clientProps: { templatesSlug: options.slugs.templates },
          path: 'payload-plugin-whatsapp-campaigns/client#SyncTemplatesButton',
        },
      ],
    },
    defaultColumns: ['name', 'language', 'category', 'status', 'account'],
    group: adminGroup,
    useAsTitle: 'name',
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
      name: 'name',
      type: 'text',
      index: true,
      required: true,
      validate: (value: null | string | undefined) =>
        typeof value === 'string' && /^[a-z0-9_]{1,512}$/.test(value)
          ? true
          : 'Template names are lowercase letters, digits and underscores, as Meta requires.',
    },
    { name: 'language', type: 'text', defaultValue: 'en_US', required: true },
    {
      name: 'category',
      type: 'select',
      options: [...templateCategories],
    },
    {
      name: 'previousCategory',
      type: 'select',
      admin: { ...fromWebhooks, condition: (data) => Boolean(data?.previousCategory) },
      options: [...templateCategories],
    },
    {
      name: 'categoryUpdatedAt',
      type: 'date',
      admin: {
        ...fromWebhooks,
        condition: (data) => Boolean(data?.categoryUpdatedAt),
        description: 'When Meta last changed (or announced a change of) the category.',
      },
    },
    {
      name: 'pendingCategory',
      type: 'select',
      admin: {
        ...fromWebhooks,
        condition: (data) => Boolean(data?.pendingCategory),
        description: 'The category Meta announced it will move the template to.',
      },
      options: [...templateCategories],
    },
    {
      name: 'pendingCategoryAt',
      type: 'date',
      admin: { ...fromWebhooks, condition: (data) => Boolean(data?.pendingCategoryAt) },
    },
    {
      name: 'status',
      type: 'select',
      admin: { components: { Cell: 'payload-plugin-whatsapp-campaigns/client#StatusBadge' } },
      defaultValue: 'PENDING',
      index: true,
      options: [...templateStatuses],
      required: true,
    },
    {
      name: 'parameterFormat',
      type: 'select',
      defaultValue: 'POSITIONAL',
      options: ['POSITIONAL', 'NAMED'],
    },
    {
      name: 'components',
      type: 'json',
      admin: { description: 'The template’s components exactly as Meta returns them.' },
      defaultValue: [],
      validate: (value: unknown) =>
        Array.isArray(value) &&
        value.every((c) => c && typeof c === 'object' && typeof c.type === 'string')
          ? true
          : 'Components must be an array of objects with a "type", as Meta returns them.',
    },
    {
      name: 'variables',
      type: 'json',
      admin: {
        description: 'Derived from the components: the keys parameter mappings must cover.',
        readOnly: true,
      },
    },
    { name: 'metaId', type: 'text', admin: { readOnly: true }, label: 'Meta template ID' },
    { name: 'rejectedReason', type: 'text', admin: { readOnly: true } },
    {
      name: 'statusUpdatedAt',
      type: 'date',
      admin: { ...fromWebhooks, description: 'When Meta last changed the status (webhook time).' },
    },
  ],
  hooks: {
    beforeChange: [
      ({ data }) => {
        if (Array.isArray(data.components)) {
          data.variables = extractTemplateVariables(data.components)
        }
        return data
      },
    ],
  },
  labels: { plural: 'Templates', singular: 'Template' },
})
