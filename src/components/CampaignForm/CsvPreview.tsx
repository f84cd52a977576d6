'use client'
import React from 'react'

import { useAudiencePreview } from '../shared/useCampaignForm.js'
import '../shared/styles.css'

/** The uploaded CSV before Run: columns, row count, invalid and repeated phones, first rows. */
export const CsvPreview: React.FC<{ campaignsSlug: string }> = ({ campaignsSlug }) => {
  const { audienceType, error, preview } = useAudiencePreview(campaignsSlug)
  if (audienceType !== 'csv') {
    return null
  }
  const problem = error ?? preview?.error
  if (problem) {
    return (
      <p className="wa-error field-type" data-testid="csv-preview-error">
        {problem}
      </p>
    )
  }
  const csv = preview?.csv
  if (!csv) {
    return null
  }
  return (
    <div className="wa-panel field-type" data-testid="csv-preview">
      <p data-testid="csv-summary">
        <strong>{csv.rowCount}</strong> rows · columns: {csv.columns.join(', ')} ·{' '}
        <span className={csv.invalidPhones > 0 ? 'wa-error' : undefined}>
          {csv.invalidPhones} invalid phones
        </span>{' '}
        · {csv.duplicatePhones} repeated phones (sent once)
      </p>
      <div className="wa-scroll">
        <table className="wa-table">
          <thead>
            <tr>
              {csv.columns.map((column) => (
                <th key={column}>{column}</th>
              ))}
              <th>Phone check</th>
            </tr>
          </thead>
          <tbody>
            {csv.preview.map(({ phone, row }, index) => (
              <tr className={phone.ok ? undefined : 'wa-row--invalid'} key={index}>
                {csv.columns.map((column) => (
                  <td key={column}>{row[column]}</td>
                ))}
                <td className={phone.ok ? 'wa-muted' : 'wa-error'}>
                  {phone.ok ? `+${phone.phone}` : phone.error}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}
