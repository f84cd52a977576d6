'use client'
import { Link, useConfig } from '@payloadcms/ui'
import React, { useMemo, useState } from 'react'

import type { CampaignRow, GlobalAnalytics } from '../../analytics/globalAnalytics.js'

import { money, percent } from '../shared/format.js'
import { TimelineChart } from '../shared/TimelineChart.js'
import { usePolling } from '../shared/usePolling.js'
import '../shared/styles.css'

type SortKey = keyof CampaignRow

const columns: Array<[SortKey, string]> = [
  ['name', 'Campaign'],
  ['completedAt', 'Completed'],
  ['total', 'Total'],
  ['sent', 'Sent'],
  ['delivered', 'Delivered'],
  ['read', 'Read'],
  ['replied', 'Replied'],
  ['failed', 'Failed'],
  ['cost', 'Cost'],
]

/** Totals, rates, a per-period chart and a sortable per-campaign table, refreshed live. */
export const AnalyticsDashboard: React.FC = () => {
  const {
    config: {
      routes: { admin, api },
      serverURL,
    },
  } = useConfig()
  const [period, setPeriod] = useState<'day' | 'month'>('day')
  const [sort, setSort] = useState<{ desc: boolean; key: SortKey }>({
    desc: true,
    key: 'completedAt',
  })
  const { data, error } = usePolling<GlobalAnalytics>(
    `${serverURL}${api}/whatsapp/analytics?period=${period}`,
    { intervalMs: 5000 },
  )
  const rows = useMemo(() => {
    const list = [...(data?.campaigns ?? [])]
    list.sort((a, b) => {
      const x = a[sort.key] ?? ''
      const y = b[sort.key] ?? ''
      const order =
        typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))
      return sort.desc ? -order : order
    })
    return list
  }, [data, sort])

  if (!data) {
    return error ? <p className="wa-error">{error}</p> : <p className="wa-muted">Loading…</p>
  }
  const { rates, totals } = data
  return (
    <div className="wa-panel" data-testid="global-analytics">
      <div className="wa-stats">
        {(
          [
            ['Campaigns', totals.campaigns],
            ['Sent', totals.sent],
            ['Delivered', totals.delivered, percent(rates.delivered)],
            ['Read', totals.read, percent(rates.read)],
            ['Replied', totals.replied, percent(rates.replied)],
            ['Failed', totals.failed, percent(rates.failed)],
            ...(totals.cost !== null && data.currency
              ? [['Cost', money(totals.cost, data.currency)]]
              : []),
          ] as Array<[string, number | string, string?]>
        ).map(([label, value, rate]) => (
          <div className="wa-stat" data-testid={`total-${label.toLowerCase()}`} key={label}>
            <span className="wa-muted">{label}</span>
            <strong>{value}</strong>
            {rate ? <span className="wa-muted">{rate}</span> : null}
          </div>
        ))}
      </div>
      <div className="wa-actions">
        {(['day', 'month'] as const).map((p) => (
          <button
            className={`btn btn--size-small btn--style-${p === period ? 'primary' : 'secondary'}`}
            key={p}
            onClick={() => setPeriod(p)}
            type="button"
          >
            Per {p}
          </button>
        ))}
      </div>
      {data.currency ? (
        <table className="wa-table" data-testid="cost-per-period">
          <thead>
            <tr>
              <th>Period</th>
              <th>Actual cost (rate card, billable messages)</th>
            </tr>
          </thead>
          <tbody>
            {data.periods.map((p) => (
              <tr key={p.period}>
                <td>{p.period}</td>
                <td>{p.cost !== null ? money(p.cost, data.currency!) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <TimelineChart
        points={data.periods.map((p) => ({
          label: p.period,
          values: { delivered: p.delivered, failed: p.failed, read: p.read, sent: p.sent },
        }))}
        series={['sent', 'delivered', 'read', 'failed']}
      />
      <table className="wa-table" data-testid="campaign-table">
        <thead>
          <tr>
            {columns.map(([key, label]) => (
              <th key={key}>
                <button
                  onClick={() => setSort({ desc: sort.key === key ? !sort.desc : true, key })}
                  type="button"
                >
                  {label} {sort.key === key ? (sort.desc ? '↓' : '↑') : ''}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              <td>
                <Link href={`${admin}/collections/whatsapp-campaigns/${row.id}`}>{row.name}</Link>
              </td>
              <td>{row.completedAt ? new Date(row.completedAt).toLocaleString() : '—'}</td>
              <td>{row.total}</td>
              <td>{row.sent}</td>
              <td>{row.delivered}</td>
              <td>{row.read}</td>
              <td>{row.replied}</td>
              <td>{row.failed}</td>
              <td>{row.cost !== null && data.currency ? money(row.cost, data.currency) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
