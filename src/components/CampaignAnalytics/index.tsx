'use client'
import React from 'react'

import { retargetableStatuses } from '../../collections/campaignStatuses.js'
import { costEstimateText, duration, percent } from '../shared/format.js'
import { TimelineChart } from '../shared/TimelineChart.js'
import { useCampaignAnalytics } from '../shared/useCampaignAnalytics.js'
import { FollowUp } from './FollowUp.js'
import '../shared/styles.css'

/** The spec's campaign detail breakdown, live: counters, rates, progress, pace, timeline, failures. */
export const CampaignAnalytics: React.FC = () => {
  const { id, base, data, error } = useCampaignAnalytics()
  if (!id) {
    return <p className="wa-muted">Analytics appear once the campaign is saved.</p>
  }
  if (!data) {
    return error ? <p className="wa-error">{error}</p> : null
  }
  const { counts, rates } = data
  const done = counts.total - counts.pending
  const stats: Array<[string, number, string?]> = [
    ['Total', counts.total],
    ['Sent', counts.sent],
    ['Delivered', counts.delivered, percent(rates.delivered)],
    ['Read', counts.read, percent(rates.read)],
    ['Replied', counts.replied, percent(rates.replied)],
    ['Failed', counts.failed, percent(rates.failed)],
    ...(counts.unknown > 0 ? ([['Unknown', counts.unknown]] as Array<[string, number]>) : []),
  ]
  return (
    <section className="wa-panel" data-testid="campaign-analytics">
      <div className="wa-stats">
        {stats.map(([label, value, rate]) => (
          <div className="wa-stat" data-testid={`stat-${label.toLowerCase()}`} key={label}>
            <span className="wa-muted">{label}</span>
            <strong>{value}</strong>
            {rate ? <span className="wa-muted">{rate}</span> : null}
          </div>
        ))}
      </div>
      {data.status === 'running' ? (
        <div>
          <div className="wa-progress">
            <div style={{ width: `${counts.total ? (done / counts.total) * 100 : 0}%` }} />
          </div>
          <p className="wa-muted">
            {done} of {counts.total} · {data.messagesPerSecond.toFixed(1)} messages/s
            {data.etaSeconds !== null ? ` · about ${duration(data.etaSeconds)} left` : ''}
          </p>
        </div>
      ) : null}
      {data.costEstimate ? (
        <p className="wa-muted" data-testid="cost-estimate">
          Estimated cost: {costEstimateText(data.costEstimate)} (rate card,{' '}
          {data.costEstimate.category ?? 'no category'})
        </p>
      ) : null}
      {data.actualCost ? (
        <p className="wa-muted" data-testid="actual-cost">
          Actual cost: {costEstimateText(data.actualCost)} billable (rate card × Meta&apos;s pricing
          category)
        </p>
      ) : null}
      {data.buttons.length > 0 ? (
        <table className="wa-table" data-testid="reply-buttons">
          <thead>
            <tr>
              <th>Quick-reply button</th>
              <th>Taps (first answers)</th>
              <th>Of replies</th>
            </tr>
          </thead>
          <tbody>
            {data.buttons.map((b) => (
              <tr key={b.button}>
                <td>{b.button}</td>
                <td>{b.count}</td>
                <td>{percent(counts.replied ? b.count / counts.replied : 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {base && data.canRun && retargetableStatuses.some((status) => status === data.status) ? (
        <FollowUp base={base} buttons={data.buttons.map((b) => b.button)} />
      ) : null}
      <TimelineChart
        points={data.timeline.map((p) => ({
          label: p.at.slice(11),
          values: { delivered: p.delivered, read: p.read, sent: p.sent },
        }))}
        series={['sent', 'delivered', 'read']}
      />
      {data.failures.length > 0 ? (
        <table className="wa-table" data-testid="failures">
          <thead>
            <tr>
              <th>Error code</th>
              <th>Meta&apos;s message</th>
              <th>Recipients</th>
            </tr>
          </thead>
          <tbody>
            {data.failures.map((f) => (
              <tr key={`${f.errorCode}-${f.errorMessage}`}>
                <td>{f.errorCode ?? '—'}</td>
                <td>{f.errorMessage}</td>
                <td>{f.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  )
}
