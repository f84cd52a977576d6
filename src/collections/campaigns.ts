import type { CollectionConfig, Field, FieldAccess, PayloadRequest, Where } from 'payload'

import type { ResolvedOptions } from '../options.js'

import { adminGroup } from './adminGroup.js'
import {
  campaignCounterFields,
  campaignDateFields,
  campaignStatuses,
  retargetableStatuses,
  retargetOutcomes,
} from './campaignStatuses.js'
import { engineFields } from './engineFields.js'
import { relationId } from './relationId.js'

/** Status, timestamps and counters belong to the engine: no API caller may write them. */
const engineOnly: { access: { create: FieldAccess; update: FieldAccess } } = {
  access: { create: () => false, update: () => false },
}

const counterLabels: Record<(typeof campaignCounterFields)[number], string> = {
  deliveredCount: 'Delivered',
  failedCount: 'Failed',
  readCount: 'Read',
  repliedCount: 'Replied',
  sentCount: 'Sent',
  totalCount: 'Total',
  unknownCount: 'Outcome unknown',
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  Boolean(value) && typeof value === 'object' && !Array.isArray(value)

export const campaignsCollection = (options: ResolvedOptions): CollectionConfig => {
  const audienceOptions = [
    { label: 'Contacts', value: 'contacts' },
    { label: 'CSV upload', value: 'csv' },
    { label: 'Earlier campaign (retarget)', value: 'retarget' },
    ...Object.entries(options.audiences).map(([key, audience]) => ({
      label: audience.label ?? key,
      value: key,
    })),
  ]

  const counters: Field[] = campaignCounterFields.map((name) => ({
    name,
    type: 'number',
    ...engineOnly,
    // The live analytics panel shows them in the edit view; the list view keeps the columns.
    admin: { condition: () => false, readOnly: true, width: '16%' },
    defaultValue: 0,
    label: counterLabels[name],
  }))

  return {
    slug: options.slugs.campaigns,
    access: {
      create: options.access.update,
      delete: options.access.update,
      read: options.access.read,
      update: options.access.update,
    },
    admin: {
      defaultColumns: ['name', 'status', 'audienceType', 'totalCount', 'sentCount', 'failedCount'],
      group: adminGroup,
      useAsTitle: 'name',
    },
    fields: [
      {
        name: 'controls',
        type: 'ui',
        admin: {
          components: { Field: 'payload-plugin-whatsapp-campaigns/client#CampaignControls' },
          position: 'sidebar',
        },
      },
      { name: 'name', type: 'text', required: true },
      {
        type: 'row',
        fields: [
          {
            name: 'account',
            type: 'relationship',
            admin: { width: '50%' },
            index: true,
            relationTo: options.slugs.accounts,
            required: true,
          },
          {
            name: 'template',
            type: 'relationship',
            admin: {
              description: 'Only APPROVED templates are listed (all, while none is approved).',
              width: '50%',
            },
            // The spec: approved templates only, or every template while none is approved yet.
            filterOptions: async ({ data, req }) => {
              const account = relationId(data?.account)
              const byAccount: Where[] = account ? [{ account: { equals: account } }] : []
              const approvedWhere: Where = {
                and: [...byAccount, { status: { equals: 'APPROVED' } }],
              }
              const approved = await req.payload.count({
                collection: options.slugs.templates,
                req,
                where: approvedWhere,
              })
              if (approved.totalDocs > 0) {
                return approvedWhere
              }
              return byAccount.length > 0 ? { and: byAccount } : true
            },
            relationTo: options.slugs.templates,
            required: true,
          },
        ],
      },
      {
        name: 'templatePreview',
        type: 'ui',
        admin: {
          components: {
            Field: {
              clientProps: { templatesSlug: options.slugs.templates },
              path: 'payload-plugin-whatsapp-campaigns/client#TemplatePreview',
            },
          },
        },
      },
      {
        name: 'audienceType',
        type: 'select',
        defaultValue: 'contacts',
        options: audienceOptions,
        required: true,
      },
      {
        name: 'audienceFilters',
        type: 'json',
        admin: {
          components: {
            // Rows of conditions instead of raw JSON; stored as a Payload "where" on contacts.
            Field: {
              clientProps: { campaignsSlug: options.slugs.campaigns },
              path: 'payload-plugin-whatsapp-campaigns/client#AudienceFiltersField',
            },
          },
          condition: (data) => data?.audienceType === 'contacts',
        },
        validate: async (value: unknown, { req }: { req: PayloadRequest }) => {
          if (value === undefined || value === null || value === '') {
            return true
          }
          if (!isPlainObject(value)) {
            return 'Audience filters must be a JSON object (a Payload "where").'
          }
          try {
            await req.payload.count({
              collection: options.slugs.contacts,
              where: value as Where,
            })
            return true
          } catch (error) {
            return `Audience filters are not a valid query on contacts: ${(error as Error).message}`
          }
        },
      },
      {
        name: 'csvFile',
        type: 'upload',
        admin: { condition: (data) => data?.audienceType === 'csv' },
        label: 'CSV file',
        relationTo: options.slugs.audienceFiles,
        validate: (value: unknown, { siblingData }: { siblingData: Record<string, unknown> }) =>
          siblingData.audienceType !== 'csv' || relationId(value)
            ? true
            : 'A CSV audience needs a CSV file with a "phone" column.',
      },
      {
        type: 'row',
        admin: { condition: (data) => data?.audienceType === 'retarget' },
        fields: [
          {
            name: 'retargetCampaign',
            type: 'relationship',
            admin: {
              description: 'Its recipients with the outcome below are this audience.',
              width: '50%',
            },
            // Only campaigns that have sent have outcomes; never the campaign itself.
            filterOptions: ({ id }) => {
              const where: Where[] = [{ status: { in: retargetableStatuses } }]
              if (id !== undefined) {
                where.push({ id: { not_equals: id } })
              }
              return { and: where }
            },
            label: 'Earlier campaign',
            relationTo: options.slugs.campaigns,
            validate: (
              value: unknown,
              { id, siblingData }: { id?: number | string; siblingData: Record<string, unknown> },
            ) => {
              if (siblingData.audienceType !== 'retarget') {
                return true
              }
              const earlier = relationId(value)
              if (!earlier) {
                return 'A retargeting audience needs an earlier campaign.'
              }
              return id !== undefined && String(id) === earlier
                ? 'A campaign cannot retarget its own recipients.'
                : true
            },
          },
          {
            name: 'retargetOutcome',
            type: 'select',
            admin: { width: '50%' },
            label: 'Outcome',
            options: Object.entries(retargetOutcomes).map(([value, { label }]) => ({
              label,
              value,
            })),
            validate: (
              value: unknown,
              { siblingData }: { siblingData: Record<string, unknown> },
            ) =>
              siblingData.audienceType !== 'retarget' || value
                ? true
                : 'Pick which of the earlier recipients to message.',
          },
          {
            name: 'retargetButton',
            type: 'text',
            admin: {
              condition: (_, siblingData) => siblingData?.retargetOutcome === 'tapped_button',
              description:
                "The quick-reply button's payload (or its text), as the earlier campaign's analytics list it.",
              width: '50%',
            },
            label: 'Button',
            validate: (
              value: unknown,
              { siblingData }: { siblingData: Record<string, unknown> },
            ) =>
              siblingData.audienceType !== 'retarget' ||
              siblingData.retargetOutcome !== 'tapped_button' ||
              (typeof value === 'string' && value.trim())
                ? true
                : 'Which quick-reply button? Give its payload (or its text).',
          },
        ],
      },
      {
        name: 'csvPreview',
        type: 'ui',
        admin: {
          components: {
            Field: {
              clientProps: { campaignsSlug: options.slugs.campaigns },
              path: 'payload-plugin-whatsapp-campaigns/client#CsvPreview',
            },
          },
          condition: (data) => data?.audienceType === 'csv',
        },
      },
      {
        name: 'parameterMappings',
        type: 'json',
        admin: {
          components: {
            // A row per template variable instead of raw JSON ({"1": "name", "header.1": "city"}).
            Field: {
              clientProps: {
                campaignsSlug: options.slugs.campaigns,
                templatesSlug: options.slugs.templates,
              },
              path: 'payload-plugin-whatsapp-campaigns/client#ParameterMappingsField',
            },
          },
        },
        defaultValue: {},
        validate: (value: unknown) => {
          if (value === undefined || value === null) {
            return true
          }
          if (!isPlainObject(value)) {
            return 'Parameter mappings must be a JSON object like {"1": "name"}.'
          }
          const bad = Object.entries(value).filter(
            ([, field]) => typeof field !== 'string' || field.trim() === '',
          )
          return bad.length === 0
            ? true
            : `Each mapping must name a field; check ${bad.map(([key]) => `"${key}"`).join(', ')}.`
        },
      },
      {
        name: 'scheduledAt',
        type: 'date',
        admin: {
          date: { pickerAppearance: 'dayAndTime' },
          description: 'Leave empty to send when you click Run.',
        },
        index: true,
      },
      {
        name: 'status',
        type: 'select',
        ...engineOnly,
        // Shown live by the controls panel in the edit view; the list view keeps the column.
        admin: {
          components: { Cell: 'payload-plugin-whatsapp-campaigns/client#StatusBadge' },
          condition: () => false,
          position: 'sidebar',
          readOnly: true,
        },
        defaultValue: 'draft',
        index: true,
        options: [...campaignStatuses],
        required: true,
      },
      {
        name: 'error',
        type: 'textarea',
        ...engineOnly,
        admin: {
          condition: (data) => Boolean(data?.error),
          position: 'sidebar',
          readOnly: true,
        },
      },
      {
        name: 'categoryChanged',
        type: 'textarea',
        ...engineOnly,
        admin: {
          condition: (data) => Boolean(data?.categoryChanged),
          position: 'sidebar',
          readOnly: true,
        },
        label: 'Template category changed',
      },
      {
        name: 'resumeAt',
        type: 'date',
        ...engineOnly,
        admin: {
          condition: (data) => Boolean(data?.resumeAt),
          date: { pickerAppearance: 'dayAndTime' },
          description: 'Resumes on its own then (the restriction that paused it expires).',
          position: 'sidebar',
          readOnly: true,
        },
      },
      {
        name: 'materializedAt',
        type: 'date',
        ...engineOnly,
        admin: { hidden: true },
      },
      {
        // Set while the portfolio's messaging limit holds a running campaign; the controls
        // panel shows it live ("waiting for messaging limit — resumes at ...").
        name: 'waitingUntil',
        type: 'date',
        ...engineOnly,
        admin: { hidden: true },
      },
      {
        // The rate card's estimate for the recipients to send, set when the audience is materialized.
        name: 'costEstimate',
        type: 'json',
        ...engineOnly,
        admin: { hidden: true },
      },
      ...campaignDateFields.map((name): Field => ({
        name,
        type: 'date',
        ...engineOnly,
        admin: {
          date: { pickerAppearance: 'dayAndTime' },
          position: 'sidebar',
          readOnly: true,
        },
      })),
      { type: 'row', fields: counters },
      {
        name: 'analytics',
        type: 'ui',
        admin: {
          components: { Field: 'payload-plugin-whatsapp-campaigns/client#CampaignAnalytics' },
        },
      },
      {
        name: 'recipients',
        type: 'ui',
        admin: {
          components: {
            Field: {
              clientProps: { recipientsSlug: options.slugs.recipients },
              path: 'payload-plugin-whatsapp-campaigns/client#CampaignRecipients',
            },
          },
        },
      },
      // The last counter updates applied, so a retried one is not applied twice (MongoDB).
      ...engineFields([
        { name: 'counterOps', type: 'json' },
        // The webhook applier's recent batch counter updates, likewise (MongoDB).
        { name: 'applierOps', type: 'json' },
        // What paused it (campaigns/guardrails.ts PausedBy): a restriction's pause resumes itself.
        { name: 'pausedBy', type: 'text' },
      ]),
    ],
    labels: { plural: 'Campaigns', singular: 'Campaign' },
  }
}
