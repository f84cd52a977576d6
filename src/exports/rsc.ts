export { AnalyticsView } from '../components/AnalyticsView/index.js'
