'use client'
import React from 'react'

import type { TemplateComponent } from '../../audience/templateVariables.js'

import { StatusBadge } from '../shared/StatusBadge.js'
import { usePickedTemplate } from '../shared/useCampaignForm.js'
import { TemplateText } from './TemplateText.js'
import '../shared/styles.css'

const find = (components: TemplateComponent[], type: string) =>
  components.find((component) => component.type.toUpperCase() === type)

/** The picked template as the recipient will see it, variables marked, with its status. */
export const TemplatePreview: React.FC<{ templatesSlug: string }> = ({ templatesSlug }) => {
  const { error, template, templateId } = usePickedTemplate(templatesSlug)
  if (!templateId) {
    return null
  }
  if (!template) {
    return error ? <p className="wa-error">{error}</p> : null
  }
  const components = template.components ?? []
  const header = find(components, 'HEADER')
  const footer = find(components, 'FOOTER')
  const buttons = find(components, 'BUTTONS')?.buttons ?? []
  return (
    <div className="wa-template field-type" data-testid="template-preview">
      <div className="wa-template__meta">
        <strong>{template.name}</strong>
        <span className="wa-muted">{template.language}</span>
        <StatusBadge cellData={template.status} />
      </div>
      <div className="wa-bubble">
        {header ? (
          <strong className="wa-bubble__header">
            {header.format && header.format !== 'TEXT' ? `[${header.format.toLowerCase()}]` : null}
            <TemplateText text={header.text} />
          </strong>
        ) : null}
        <p data-testid="template-body">
          <TemplateText text={find(components, 'BODY')?.text} />
        </p>
        {footer ? <small className="wa-muted">{footer.text}</small> : null}
        {buttons.length > 0 ? (
          <div className="wa-bubble__buttons">
            {buttons.map((button, index) => (
              <span key={index}>
                {button.text}
                {button.url ? (
                  <small className="wa-muted">
                    {' '}
                    <TemplateText text={button.url} />
                  </small>
                ) : null}
              </span>
            ))}
          </div>
        ) : null}
      </div>
    </div>
  )
}
