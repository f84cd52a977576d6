'use client'
import type { JSONFieldClientProps } from 'payload'

import { Button, FieldDescription, FieldError, FieldLabel, useField } from '@payloadcms/ui'
import React, { useId, useState } from 'react'

import type { FilterRow } from '../../audience/filterRows.js'

import { filterOperators, rowsToWhere, whereToRows } from '../../audience/filterRows.js'
import { useAudiencePreview } from '../shared/useCampaignForm.js'
import '../shared/styles.css'

const emptyRow: FilterRow = { field: 'labels', operator: 'contains', value: '' }

/**
 * audienceFilters as rows (field, condition, value) that all must hold; a filter rows cannot
 * express is edited as JSON in a plain text area, which works offline too.
 */
export const AudienceFiltersField: React.FC<{ campaignsSlug: string } & JSONFieldClientProps> = ({
  campaignsSlug,
  field,
  path,
  readOnly,
}) => {
  const { setValue, showError, value } = useField<Record<string, unknown>>({ path })
  const { preview } = useAudiencePreview(campaignsSlug)
  const listId = useId()
  const rows = whereToRows(value)
  const [json, setJson] = useState<string | undefined>()
  const [jsonError, setJsonError] = useState<string | undefined>()
  const editingJson = json !== undefined || rows === undefined

  const setRows = (next: FilterRow[]) => setValue(rowsToWhere(next))
  const change = (index: number, patch: Partial<FilterRow>) =>
    setRows((rows ?? []).map((row, at) => (at === index ? { ...row, ...patch } : row)))

  return (
    <div className="field-type wa-filters" data-testid="audience-filters">
      <FieldLabel label={field.label ?? 'Audience filters'} path={path} />
      <FieldError path={path} showError={showError} />
      {editingJson ? (
        <>
          <textarea
            aria-label="Audience filters as JSON"
            className="wa-input wa-json"
            disabled={readOnly}
            onBlur={() => {
              try {
                setValue(JSON.parse(json?.trim() || '{}') as Record<string, unknown>)
                setJsonError(undefined)
              } catch (error) {
                setJsonError(`Not valid JSON: ${(error as Error).message}`)
              }
            }}
            onChange={(event) => setJson(event.target.value)}
            rows={5}
            value={json ?? JSON.stringify(value ?? {}, null, 2)}
          />
          {jsonError ? <p className="wa-error">{jsonError}</p> : null}
        </>
      ) : (
        <>
          {(rows ?? []).map((row, index) => (
            <div className="wa-filter-row" data-testid="filter-row" key={index}>
              <input
                aria-label="Contact field"
                className="wa-input"
                disabled={readOnly}
                list={listId}
                onChange={(event) => change(index, { field: event.target.value })}
                value={row.field}
              />
              <select
                aria-label="Condition"
                className="wa-input"
                disabled={readOnly}
                onChange={(event) =>
                  change(index, { operator: event.target.value as FilterRow['operator'] })
                }
                value={row.operator}
              >
                {Object.entries(filterOperators).map(([operator, label]) => (
                  <option key={operator} value={operator}>
                    {label}
                  </option>
                ))}
              </select>
              <input
                aria-label="Value"
                className="wa-input"
                disabled={readOnly}
                onChange={(event) => change(index, { value: event.target.value })}
                value={row.value}
              />
              <Button
                buttonStyle="secondary"
                disabled={readOnly}
                margin={false}
                onClick={() => setRows((rows ?? []).filter((_, at) => at !== index))}
                size="small"
              >
                Remove
              </Button>
            </div>
          ))}
          <div className="wa-toolbar">
            <Button
              buttonStyle="secondary"
              disabled={readOnly}
              margin={false}
              onClick={() => setRows([...(rows ?? []), emptyRow])}
              size="small"
            >
              Add condition
            </Button>
            <Button
              buttonStyle="transparent"
              margin={false}
              onClick={() => setJson(JSON.stringify(value ?? {}, null, 2))}
              size="small"
            >
              Edit as JSON
            </Button>
          </div>
        </>
      )}
      <datalist id={listId}>
        {(preview?.fields ?? []).map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <FieldDescription
        description="Only contacts matching every condition; opted-out and blocked contacts are always left out. No condition: all contacts of the account."
        path={path}
      />
    </div>
  )
}
