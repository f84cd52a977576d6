import type { MetaTemplate } from './types.js'

/** A template as Meta lists it, as the data of a templates document for that account. */
export const templateDocument = (template: MetaTemplate, account: number | string) => ({
  name: template.name,
  account,
  category: template.category,
  components: template.components,
  language: template.language,
  metaId: template.id,
  parameterFormat: template.parameter_format ?? 'POSITIONAL',
  rejectedReason: template.rejected_reason ?? null,
  status: template.status,
})
