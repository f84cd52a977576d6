import type { MetaTemplate } from '../../src/meta/types.js'

import { extractTemplateVariables } from '../../src/audience/templateVariables.js'

type SendComponent = {
  index?: string
  parameters?: Array<{ parameter_name?: string; type?: string }>
  sub_type?: string
  type?: string
}

/** Checks a send's parameters against the template's variables, as Meta does (132000). */
export const parametersMatch = (template: MetaTemplate, components: unknown): boolean => {
  const sent = Array.isArray(components) ? (components as SendComponent[]) : []
  const variables = extractTemplateVariables(template.components)
  const count = (type: string, index?: string) =>
    sent
      .filter((c) => c.type === type && (index === undefined || c.index === index))
      .reduce((n, c) => n + (c.parameters?.length ?? 0), 0)
  const expectedHeader = variables.filter((v) => v.component === 'header').length
  const expectedBody = variables.filter((v) => v.component === 'body')
  if (count('header') !== expectedHeader || count('body') !== expectedBody.length) {
    return false
  }
  const named = expectedBody.filter((v) => !/^\d+$/.test(v.name))
  const bodyParams = sent.filter((c) => c.type === 'body').flatMap((c) => c.parameters ?? [])
  if (named.some((v) => !bodyParams.some((p) => p.parameter_name === v.name))) {
    return false
  }
  const buttons = new Set(
    variables.filter((v) => v.component === 'button').map((v) => v.buttonIndex),
  )
  for (const index of buttons) {
    const expected = variables.filter((v) => v.buttonIndex === index).length
    if (count('button', String(index)) !== expected) {
      return false
    }
  }
  return count('button') === variables.filter((v) => v.component === 'button').length
}
