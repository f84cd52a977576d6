/**
 * One CSV cell, quoted as RFC 4180 wants, and defused: a cell that a spreadsheet would run as a
 * formula (starting with = + - @, tab or carriage return) gets a leading apostrophe (OWASP).
 */
export const csvCell = (value: unknown): string => {
  if (value === undefined || value === null) {
    return ''
  }
  let text =
    typeof value === 'string'
      ? value
      : value instanceof Date
        ? value.toISOString()
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value as boolean | number)
  if (/^[=+\-@\t\r]/.test(text)) {
    text = `'${text}`
  }
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export const csvLine = (values: unknown[]) => `${values.map(csvCell).join(',')}\r\n`
