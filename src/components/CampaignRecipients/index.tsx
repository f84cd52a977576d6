'use client'
import { Button, useDocumentInfo } from '@payloadcms/ui'
import React, { useState } from 'react'

import { recipientStatuses } from '../../collections/campaignStatuses.js'
import { StatusBadge } from '../shared/StatusBadge.js'
import { useCampaignAnalytics } from '../shared/useCampaignAnalytics.js'
import { useApiUrl, usePolling } from '../shared/usePolling.js'
import '../shared/styles.css'

type Recipient = {
  errorCode?: null | number
  errorMessage?: null | string
  id: number | string
  name?: null | string
  phoneNumber: string
  repliedAt?: null | string
  replyButton?: null | string
  replyText?: null | string
  sentAt?: null | string
  status: string
}

type Page = { docs: Recipient[]; page: number; totalDocs: number; totalPages: number }

const pageSize = 20

/** The answer filter: '' (all), 'yes' (replied), 'no' (not replied), or 'button:<payload>'. */
const answerParams = (answer: string): Record<string, string> =>
  answer === 'yes' || answer === 'no'
    ? { replied: answer }
    : answer.startsWith('button:')
      ? { button: answer.slice('button:'.length) }
      : {}

/** The same filter as the list's `where` query. */
const answerWhere = (answer: string): Record<string, string> => {
  const { button, replied } = answerParams(answer)
  return button !== undefined
    ? { 'where[replyButton][equals]': button }
    : replied
      ? { 'where[repliedAt][exists]': String(replied === 'yes') }
      : {}
}

/** The campaign's recipients, newest sent first, filtered by status, answer and phone, with CSV export. */
export const CampaignRecipients: React.FC<{ recipientsSlug: string }> = ({ recipientsSlug }) => {
  const { id, collectionSlug } = useDocumentInfo()
  const apiUrl = useApiUrl()
  const [status, setStatus] = useState('')
  const [phone, setPhone] = useState('')
  const [answer, setAnswer] = useState('')
  const { data: analytics } = useCampaignAnalytics()
  const [page, setPage] = useState(1)
  const query = new URLSearchParams({
    depth: '0',
    limit: String(pageSize),
    page: String(page),
    sort: '-sentAt',
    'where[campaign][equals]': String(id),
    ...(status ? { 'where[status][equals]': status } : {}),
    ...answerWhere(answer),
    ...(phone.trim() ? { 'where[phoneNumber][like]': phone.replace(/\D/g, '') } : {}),
  })
  const { data, error } = usePolling<Page>(
    id ? apiUrl(`/${recipientsSlug}?${query.toString()}`) : null,
    { intervalMs: 3000 },
  )
  if (!id) {
    return null
  }
  const exportQuery = new URLSearchParams({
    ...(status ? { status } : {}),
    ...answerParams(answer),
    ...(phone.trim() ? { phone: phone.replace(/\D/g, '') } : {}),
  })
  return (
    <section className="wa-panel field-type" data-testid="campaign-recipients">
      <h3>Recipients</h3>
      <div className="wa-toolbar">
        <select
          aria-label="Status"
          className="wa-input"
          onChange={(event) => {
            setStatus(event.target.value)
            setPage(1)
          }}
          value={status}
        >
          <option value="">All statuses</option>
          {recipientStatuses.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
        <select
          aria-label="Answer"
          className="wa-input"
          onChange={(event) => {
            setAnswer(event.target.value)
            setPage(1)
          }}
          value={answer}
        >
          <option value="">All answers</option>
          <option value="yes">Replied</option>
          <option value="no">Not replied</option>
          {(analytics?.buttons ?? []).map(({ button }) => (
            <option key={button} value={`button:${button}`}>
              Tapped {button}
            </option>
          ))}
        </select>
        <input
          aria-label="Search by phone"
          className="wa-input"
          onChange={(event) => {
            setPhone(event.target.value)
            setPage(1)
          }}
          placeholder="Search by phone"
          value={phone}
        />
        <Button
          buttonStyle="secondary"
          el="anchor"
          margin={false}
          newTab
          size="small"
          url={apiUrl(`/${collectionSlug}/${id}/recipients.csv?${exportQuery.toString()}`)}
        >
          Export CSV
        </Button>
      </div>
      {error ? <p className="wa-error">{error}</p> : null}
      <table className="wa-table" data-testid="recipients-table">
        <thead>
          <tr>
            <th>Phone</th>
            <th>Name</th>
            <th>Status</th>
            <th>Sent at</th>
            <th>Error</th>
            <th>Reply</th>
          </tr>
        </thead>
        <tbody>
          {(data?.docs ?? []).map((recipient) => (
            <tr key={recipient.id}>
              <td>{recipient.phoneNumber}</td>
              <td>{recipient.name}</td>
              <td>
                <StatusBadge cellData={recipient.status} />
              </td>
              <td>{recipient.sentAt ? new Date(recipient.sentAt).toLocaleString() : '—'}</td>
              <td>
                {recipient.errorMessage
                  ? `${recipient.errorCode ? `${recipient.errorCode}: ` : ''}${recipient.errorMessage}`
                  : ''}
              </td>
              <td>
                {recipient.repliedAt
                  ? `${recipient.replyButton ? `[${recipient.replyButton}] ` : ''}${recipient.replyText ?? ''}`
                  : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data ? (
        <div className="wa-toolbar">
          <span className="wa-muted" data-testid="recipients-count">
            {data.totalDocs} recipients · page {data.page} of {Math.max(data.totalPages, 1)}
          </span>
          <Button
            buttonStyle="secondary"
            disabled={page <= 1}
            margin={false}
            onClick={() => setPage(page - 1)}
            size="small"
          >
            Previous
          </Button>
          <Button
            buttonStyle="secondary"
            disabled={page >= data.totalPages}
            margin={false}
            onClick={() => setPage(page + 1)}
            size="small"
          >
            Next
          </Button>
        </div>
      ) : null}
    </section>
  )
}
