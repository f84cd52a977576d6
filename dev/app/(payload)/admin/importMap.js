import { AnalyticsNavLink as AnalyticsNavLink_wa1 } from 'payload-plugin-whatsapp-campaigns/client'
import { CampaignAnalytics as CampaignAnalytics_wa2 } from 'payload-plugin-whatsapp-campaigns/client'
import { CampaignControls as CampaignControls_wa3 } from 'payload-plugin-whatsapp-campaigns/client'
import { AnalyticsView as AnalyticsView_wa4 } from 'payload-plugin-whatsapp-campaigns/rsc'

export const importMap = {
  'payload-plugin-whatsapp-campaigns/client#AnalyticsNavLink': AnalyticsNavLink_wa1,
  'payload-plugin-whatsapp-campaigns/client#CampaignAnalytics': CampaignAnalytics_wa2,
  'payload-plugin-whatsapp-campaigns/client#CampaignControls': CampaignControls_wa3,
  'payload-plugin-whatsapp-campaigns/rsc#AnalyticsView': AnalyticsView_wa4,
}
