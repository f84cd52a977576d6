import type { TemplateVariable } from './templateVariables.js'

import { readPath, textOf } from './readPath.js'
import { extractTemplateVariables } from './templateVariables.js'

type TextParameter = { parameter_name?: string; text: string; type: 'text' }
type MediaParameter = { [media: string]: { link: string } | string; type: string }

export type MetaSendComponent =
  | { index: string; parameters: TextParameter[]; sub_type: 'url'; type: 'button' }
  | { parameters: Array<MediaParameter | TextParameter>; type: 'body' | 'header' }

/** A row's value for each template variable, or which are missing and why. */
export type ResolveResult =
  { error: string; missing: string[]; ok: false } | { ok: true; parameters: Record<string, string> }

/** Scalars only: a list or object in a row is not a value Meta can show. */
const scalarText = (value: unknown): string | undefined =>
  value !== null && typeof value === 'object' ? undefined : textOf(value)

// Meta refuses text parameters with newlines, tabs or more than four consecutive spaces.
const clean = (text: string) =>
  text
    .replace(/[\n\r\t]+/g, ' ')
    .replace(/ {5,}/g, '    ')
    .trim()

const isNamed = (variable: TemplateVariable) => !/^\d+$/.test(variable.name)

const textParameter = (variable: TemplateVariable, text: string): TextParameter =>
  isNamed(variable) ? { type: 'text', parameter_name: variable.name, text } : { type: 'text', text }

const mediaParameter = (format: string, link: string): MediaParameter => {
  const type = format.toLowerCase()
  return { [type]: { link }, type }
}

/**
 * Resolves each template variable from one audience row through the campaign's mappings, once,
 * when the audience is materialized: the recipient keeps the values, keyed by variable.
 */
export const resolveParameters = ({
  components,
  parameterMappings,
  row,
}: {
  components: unknown
  parameterMappings: Record<string, string>
  row: Record<string, unknown>
}): ResolveResult => {
  const parameters: Record<string, string> = {}
  const missing: string[] = []
  const problems: string[] = []
  for (const variable of extractTemplateVariables(components)) {
    const field = parameterMappings[variable.key]
    const text = field === undefined ? undefined : scalarText(readPath(row, field))
    const value = text === undefined ? '' : clean(text)
    if (value === '') {
      missing.push(variable.key)
      problems.push(
        field === undefined
          ? `no mapping for {{${variable.key}}}`
          : `no value for {{${variable.key}}} (field "${field}")`,
      )
      continue
    }
    parameters[variable.key] = value
  }
  if (missing.length > 0) {
    return { error: `Not sent: ${problems.join('; ')}.`, missing, ok: false }
  }
  return { ok: true, parameters }
}

/**
 * Builds the `components` of Meta's send request from a recipient's resolved parameters, at
 * send. Empty when a variable has no value (the template changed since materialization): Meta
 * then refuses the message with its own error, recorded on the recipient.
 */
export const buildSendComponents = (
  components: unknown,
  parameters: Record<string, string>,
): MetaSendComponent[] => {
  const variables = extractTemplateVariables(components)
  if (variables.some((v) => parameters[v.key] === undefined)) {
    return []
  }
  const headerFormat = String(
    (Array.isArray(components)
      ? (components as Array<{ format?: string; type?: string }>).find(
          (c) => String(c?.type).toUpperCase() === 'HEADER',
        )?.format
      : undefined) ?? 'TEXT',
  )
  const header = variables.filter((v) => v.component === 'header')
  const body = variables.filter((v) => v.component === 'body')
  const buttons = new Map<number, TemplateVariable[]>()
  for (const v of variables.filter((v) => v.component === 'button')) {
    buttons.set(v.buttonIndex ?? 0, [...(buttons.get(v.buttonIndex ?? 0) ?? []), v])
  }
  const result: MetaSendComponent[] = []
  if (header.length > 0) {
    result.push({
      type: 'header',
      parameters: header.map((v) =>
        v.key === 'header.media'
          ? mediaParameter(headerFormat, parameters[v.key])
          : textParameter(v, parameters[v.key]),
      ),
    })
  }
  if (body.length > 0) {
    result.push({ type: 'body', parameters: body.map((v) => textParameter(v, parameters[v.key])) })
  }
  for (const [index, list] of buttons) {
    result.push({
      type: 'button',
      index: String(index),
      parameters: list.map((v) => ({ type: 'text', text: parameters[v.key] })),
      sub_type: 'url',
    })
  }
  return result
}

/**
 * What stops a campaign before anything is sent: unmapped variables, mappings to fields the
 * audience does not have (when its fields are known), mappings for variables the template lacks.
 */
export const checkParameterMappings = (
  components: unknown,
  parameterMappings: Record<string, string>,
  knownFields?: string[],
): string[] => {
  const variables = extractTemplateVariables(components)
  const keys = new Set(variables.map((v) => v.key))
  const problems: string[] = []
  for (const variable of variables) {
    const field = parameterMappings[variable.key]
    if (field === undefined || field.trim() === '') {
      problems.push(`mapping for {{${variable.key}}} missing.`)
    } else if (
      knownFields &&
      !knownFields.includes(field) &&
      !knownFields.includes(field.split('.')[0])
    ) {
      problems.push(
        `{{${variable.key}}} maps to "${field}", which the audience does not have (fields: ${knownFields.join(', ')}).`,
      )
    }
  }
  for (const key of Object.keys(parameterMappings)) {
    if (!keys.has(key)) {
      problems.push(
        `"${key}" is not a variable of this template (its variables: ${[...keys].join(', ') || 'none'}).`,
      )
    }
  }
  return problems
}
