'use client'
import type { JSONFieldClientProps } from 'payload'

import { FieldDescription, FieldError, FieldLabel, useField } from '@payloadcms/ui'
import React, { useId } from 'react'

import { readPath, textOf } from '../../audience/readPath.js'
import { extractTemplateVariables } from '../../audience/templateVariables.js'
import { useAudiencePreview, usePickedTemplate } from '../shared/useCampaignForm.js'
import '../shared/styles.css'

type Mappings = Record<string, string>

const componentLabels = { body: 'Body', button: 'Button', header: 'Header' }

/**
 * parameterMappings edited as one row per template variable, each with a field picker fed by
 * the audience's fields (CSV header, contact fields, the named audience's fields), and the
 * mapped field's value in the audience's first row as an example.
 */
export const ParameterMappingsField: React.FC<
  { campaignsSlug: string; templatesSlug: string } & JSONFieldClientProps
> = ({ campaignsSlug, field, path, readOnly, templatesSlug }) => {
  const { setValue, showError, value } = useField<Mappings>({ path })
  const { template, templateId } = usePickedTemplate(templatesSlug)
  const { preview } = useAudiencePreview(campaignsSlug)
  const listId = useId()
  const mappings: Mappings = value && typeof value === 'object' ? value : {}
  const variables = template ? extractTemplateVariables(template.components) : []
  const fields = preview?.fields ?? []
  const firstRow = preview?.firstRow
  const example = (fieldName: string | undefined) =>
    firstRow && fieldName ? (textOf(readPath(firstRow, fieldName)) ?? '') : ''

  const update = (key: string, fieldName: string) => {
    // Only the picked template's variables are kept, so a template change leaves no stale keys.
    const next: Mappings = {}
    for (const variable of variables) {
      const mapped = variable.key === key ? fieldName : mappings[variable.key]
      if (mapped) {
        next[variable.key] = mapped
      }
    }
    setValue(next)
  }

  return (
    <div className="field-type wa-mappings" data-testid="parameter-mappings">
      <FieldLabel label={field.label ?? 'Parameter mappings'} path={path} />
      <FieldError path={path} showError={showError} />
      {!templateId ? (
        <p className="wa-muted">Pick a template to map its variables.</p>
      ) : variables.length === 0 ? (
        <p className="wa-muted">{template ? 'This template has no variables.' : 'Loading…'}</p>
      ) : (
        <table className="wa-table">
          <thead>
            <tr>
              <th>Variable</th>
              <th>Audience field</th>
              <th>Example</th>
            </tr>
          </thead>
          <tbody>
            {variables.map((variable) => (
              <tr data-variable={variable.key} key={variable.key}>
                <td>
                  {componentLabels[variable.component]}{' '}
                  <code className="wa-variable">{`{{${variable.name}}}`}</code>
                </td>
                <td>
                  <input
                    aria-label={`Audience field for ${variable.key}`}
                    className="wa-input"
                    disabled={readOnly}
                    list={listId}
                    onChange={(event) => update(variable.key, event.target.value.trim())}
                    placeholder={fields.length > 0 ? 'Pick or type a field' : 'Field name'}
                    value={mappings[variable.key] ?? ''}
                  />
                </td>
                <td className="wa-muted" data-testid="mapping-example">
                  {example(mappings[variable.key])}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <datalist id={listId}>
        {fields.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <FieldDescription
        description="Each variable takes its value from this field of every audience row."
        path={path}
      />
    </div>
  )
}
