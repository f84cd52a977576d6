/** One condition of a contacts audience filter, as the form edits it. */
export type FilterRow = { field: string; operator: FilterOperator; value: string }

export const filterOperators = {
  contains: 'contains',
  equals: 'is',
  exists: 'is set (true/false)',
  in: 'is one of (comma-separated)',
  like: 'matches words',
  not_equals: 'is not',
  not_in: 'is none of (comma-separated)',
} as const
export type FilterOperator = keyof typeof filterOperators

type Where = Record<string, unknown>

const isOperator = (key: string): key is FilterOperator => key in filterOperators

const operand = ({ operator, value }: FilterRow): unknown => {
  if (operator === 'in' || operator === 'not_in') {
    return value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)
  }
  return operator === 'exists' ? value.trim() !== 'false' : value
}

/** Rows to the Payload "where" stored in audienceFilters: every row must hold. */
export const rowsToWhere = (rows: FilterRow[]): Where => {
  const complete = rows.filter((row) => row.field.trim())
  return complete.length === 0
    ? {}
    : { and: complete.map((row) => ({ [row.field.trim()]: { [row.operator]: operand(row) } })) }
}

const rowOf = (condition: unknown): FilterRow | undefined => {
  if (!condition || typeof condition !== 'object' || Array.isArray(condition)) {
    return undefined
  }
  const entries = Object.entries(condition)
  const [field, test] = entries[0] ?? []
  if (entries.length !== 1 || !test || typeof test !== 'object' || Array.isArray(test)) {
    return undefined
  }
  const tests = Object.entries(test as Record<string, unknown>)
  const [operator, value] = tests[0] ?? []
  if (
    tests.length !== 1 ||
    !operator ||
    !isOperator(operator) ||
    field === 'and' ||
    field === 'or'
  ) {
    return undefined
  }
  return { field, operator, value: Array.isArray(value) ? value.join(', ') : String(value) }
}

/** A stored "where" as rows, or undefined when it is more than rows can say (edit it as JSON). */
export const whereToRows = (where: unknown): FilterRow[] | undefined => {
  if (where === undefined || where === null || where === '') {
    return []
  }
  if (typeof where !== 'object' || Array.isArray(where)) {
    return undefined
  }
  const keys = Object.keys(where)
  if (keys.length === 0) {
    return []
  }
  const and = (where as { and?: unknown }).and
  const conditions = keys.length === 1 && Array.isArray(and) ? and : [where]
  const rows = conditions.map(rowOf)
  return rows.every((row): row is FilterRow => row !== undefined) ? rows : undefined
}
