'use client'
import React from 'react'

export type SeriesPoint = { label: string; values: Record<string, number> }

const colors: Record<string, string> = {
  delivered: 'var(--theme-success-500)',
  failed: 'var(--theme-error-500)',
  read: 'var(--color-blue-500, #3b82f6)',
  sent: 'var(--theme-elevation-500)',
}

/** A small SVG line chart in the admin's theme colours (light and dark). */
export const TimelineChart: React.FC<{ points: SeriesPoint[]; series: string[] }> = ({
  points,
  series,
}) => {
  if (points.length === 0) {
    return <p className="wa-muted">No activity yet.</p>
  }
  const width = 640
  const height = 160
  const max = Math.max(1, ...points.flatMap((p) => series.map((s) => p.values[s] ?? 0)))
  const x = (i: number) => (points.length === 1 ? width / 2 : (i / (points.length - 1)) * width)
  const y = (v: number) => height - (v / max) * (height - 10)
  return (
    <figure className="wa-chart">
      <svg aria-label="timeline" role="img" viewBox={`0 0 ${width} ${height}`}>
        {series.flatMap((name) =>
          points.map((p, i) => (
            <circle
              cx={x(i)}
              cy={y(p.values[name] ?? 0)}
              fill={colors[name] ?? 'currentColor'}
              key={`${name}-${p.label}`}
              r={3}
            />
          )),
        )}
        {series.map((name) => (
          <polyline
            fill="none"
            key={name}
            points={points.map((p, i) => `${x(i)},${y(p.values[name] ?? 0)}`).join(' ')}
            stroke={colors[name] ?? 'currentColor'}
            strokeWidth={2}
          />
        ))}
      </svg>
      <figcaption className="wa-legend">
        {series.map((name) => (
          <span key={name}>
            <i style={{ background: colors[name] }} /> {name}
          </span>
        ))}
        <span className="wa-muted">
          {points[0].label} – {points[points.length - 1].label} · max {max}
        </span>
      </figcaption>
    </figure>
  )
}
