export type TemplateComponent = {
  buttons?: Array<{ text?: string; type: string; url?: string }>
  format?: string
  text?: string
  type: string
}

export type TemplateVariable = {
  /** Index of the URL button, for button variables. */
  buttonIndex?: number
  component: 'body' | 'button' | 'header'
  /** The key used in parameterMappings: "1", "first_name", "header.1", "header.media", "button.0.1". */
  key: string
  label: string
  /** The variable's name inside {{ }}, or "media" for a media header. */
  name: string
}

const mediaFormats = ['IMAGE', 'VIDEO', 'DOCUMENT']

/** Names inside {{ }} in order of first appearance: "1", "2" or "first_name". */
export const placeholders = (text: string | undefined): string[] => {
  const names: string[] = []
  for (const match of (text ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
    if (!names.includes(match[1])) {
      names.push(match[1])
    }
  }
  return names
}

const asComponents = (components: unknown): TemplateComponent[] =>
  Array.isArray(components)
    ? components.filter(
        (c): c is TemplateComponent =>
          Boolean(c) && typeof c === 'object' && typeof (c as TemplateComponent).type === 'string',
      )
    : []

/** The variables a template's components need values for, in the order Meta expects them. */
export const extractTemplateVariables = (components: unknown): TemplateVariable[] => {
  const variables: TemplateVariable[] = []
  const list = asComponents(components)
  const of = (type: string) => list.find((c) => c.type.toUpperCase() === type)
  const header = of('HEADER')
  if (header && mediaFormats.includes(String(header.format).toUpperCase())) {
    variables.push({
      name: 'media',
      component: 'header',
      key: 'header.media',
      label: `Header ${String(header.format).toLowerCase()} link`,
    })
  } else if (header) {
    for (const name of placeholders(header.text)) {
      variables.push({
        name,
        component: 'header',
        key: `header.${name}`,
        label: `Header {{${name}}}`,
      })
    }
  }
  for (const name of placeholders(of('BODY')?.text)) {
    variables.push({ name, component: 'body', key: name, label: `Body {{${name}}}` })
  }
  ;(of('BUTTONS')?.buttons ?? []).forEach((button, buttonIndex) => {
    if (button.type.toUpperCase() !== 'URL') {
      return
    }
    for (const name of placeholders(button.url)) {
      variables.push({
        name,
        buttonIndex,
        component: 'button',
        key: `button.${buttonIndex}.${name}`,
        label: `Button ${buttonIndex + 1} URL {{${name}}}`,
      })
    }
  })
  return variables
}

export const templateVariableKeys = (components: unknown): string[] =>
  extractTemplateVariables(components).map((v) => v.key)
