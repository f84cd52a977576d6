'use client'
import { useDocumentInfo, useFormFields } from '@payloadcms/ui'

import type { AudiencePreview } from '../../audience/registry.js'
import type { TemplateComponent } from '../../audience/templateVariables.js'

import { useApiUrl, usePolling } from './usePolling.js'

export type TemplateDoc = {
  components?: TemplateComponent[]
  id: number | string
  language?: string
  name: string
  status?: string
}

const idOf = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : undefined

/** The template picked in the campaign form, fetched from the templates collection. */
export const usePickedTemplate = (templatesSlug: string) => {
  const templateId = useFormFields(([fields]) => idOf(fields.template?.value))
  const apiUrl = useApiUrl()
  const { data, error } = usePolling<TemplateDoc>(
    templateId ? apiUrl(`/${templatesSlug}/${templateId}?depth=0`) : null,
    { intervalMs: 0 },
  )
  return {
    error,
    template: templateId && data && String(data.id) === templateId ? data : undefined,
    templateId,
  }
}

/** The fields the form's audience offers and, for a CSV, its preview; refetched as the form changes. */
export const useAudiencePreview = (campaignsSlug: string) => {
  const { id } = useDocumentInfo()
  const fields = useFormFields(([fields]) => ({
    account: idOf(fields.account?.value),
    audienceType:
      typeof fields.audienceType?.value === 'string' ? fields.audienceType.value : undefined,
    csvFile: idOf(fields.csvFile?.value),
    retargetButton:
      typeof fields.retargetButton?.value === 'string' ? fields.retargetButton.value : undefined,
    retargetCampaign: idOf(fields.retargetCampaign?.value),
    retargetOutcome:
      typeof fields.retargetOutcome?.value === 'string' ? fields.retargetOutcome.value : undefined,
  }))
  const audience = { ...fields, campaign: idOf(id) }
  const apiUrl = useApiUrl()
  const { data, error } = usePolling<AudiencePreview>(
    apiUrl(`/${campaignsSlug}/audience-preview`),
    {
      body: audience,
      intervalMs: 0,
    },
  )
  return { audienceType: audience.audienceType, error, preview: data }
}
