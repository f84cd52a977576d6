'use client'
import { Button, useDocumentInfo } from '@payloadcms/ui'
import React, { useState } from 'react'

import { recipientStatuses } from '../../collections/campaignStatuses.js'
import { StatusBadge } from '../shared/StatusBadge.js'
import { useApiUrl, usePolling } from '../shared/usePolling.js'
import '../shared/styles.css'

type Recipient = {
  errorCode?: null | number
  errorMessage?: null | string
  id: number | string
  name?: null | string
  phoneNumber: string
  sentAt?: null | string
  status: string
}

type Page = { docs: Recipient[]; page: number; totalDocs: number; totalPages: number }

const pageSize = 20

/** The campaign's recipients, newest sent first, filtered by status and phone, with CSV export. */
export const CampaignRecipients: React.FC<{ recipientsSlug: string }> = ({ recipientsSlug }) => {
  const { id, collectionSlug } = useDocumentInfo()
  const apiUrl = useApiUrl()
  const [status, setStatus] = useState('')
  const [phone, setPhone] = useState('')
  const [page, setPage] = useState(1)
  const query = new URLSearchParams({
    depth: '0',
    limit: String(pageSize),
    page: String(page),
    sort: '-sentAt',
    'where[campaign][equals]': String(id),
    ...(status ? { 'where[status][equals]': status } : {}),
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
