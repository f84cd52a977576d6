'use client'
import React from 'react'

/** Template text with each {{variable}} shown as a chip, as editors will fill them. */
export const TemplateText: React.FC<{ text?: string }> = ({ text }) => (
  <>
    {(text ?? '').split(/(\{\{\s*\w+\s*\}\})/).map((part, index) =>
      /^\{\{\s*\w+\s*\}\}$/.test(part) ? (
        <code className="wa-variable" key={index}>
          {part.replace(/\s/g, '')}
        </code>
      ) : (
        <React.Fragment key={index}>{part}</React.Fragment>
      ),
    )}
  </>
)
