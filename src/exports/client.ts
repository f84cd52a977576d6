export { AnalyticsDashboard } from '../components/AnalyticsView/AnalyticsDashboard.js'
export { AnalyticsNavLink } from '../components/AnalyticsView/AnalyticsNavLink.js'
export { CampaignAnalytics } from '../components/CampaignAnalytics/index.js'
export { CampaignControls } from '../components/CampaignControls/index.js'
