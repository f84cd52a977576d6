import { CollectionCards as CollectionCards_next } from '@payloadcms/next/rsc'
import { AnalyticsNavLink as AnalyticsNavLink_wa1 } from 'payload-plugin-whatsapp-campaigns/client'
import { AudienceFiltersField as AudienceFiltersField_wa0 } from 'payload-plugin-whatsapp-campaigns/client'
import { CampaignAnalytics as CampaignAnalytics_wa2 } from 'payload-plugin-whatsapp-campaigns/client'
import { CampaignControls as CampaignControls_wa3 } from 'payload-plugin-whatsapp-campaigns/client'
import { CampaignRecipients as CampaignRecipients_wa4 } from 'payload-plugin-whatsapp-campaigns/client'
import { CsvPreview as CsvPreview_wa5 } from 'payload-plugin-whatsapp-campaigns/client'
import { ParameterMappingsField as ParameterMappingsField_wa6 } from 'payload-plugin-whatsapp-campaigns/client'
import { StatusBadge as StatusBadge_wa7 } from 'payload-plugin-whatsapp-campaigns/client'
import { SyncTemplatesButton as SyncTemplatesButton_wa8 } from 'payload-plugin-whatsapp-campaigns/client'
import { TemplatePreview as TemplatePreview_wa9 } from 'payload-plugin-whatsapp-campaigns/client'
import { AnalyticsView as AnalyticsView_wa10 } from 'payload-plugin-whatsapp-campaigns/rsc'

export const importMap = {
  '@payloadcms/next/rsc#CollectionCards': CollectionCards_next,
  'payload-plugin-whatsapp-campaigns/client#AudienceFiltersField': AudienceFiltersField_wa0,
  'payload-plugin-whatsapp-campaigns/client#AnalyticsNavLink': AnalyticsNavLink_wa1,
  'payload-plugin-whatsapp-campaigns/client#CampaignAnalytics': CampaignAnalytics_wa2,
  'payload-plugin-whatsapp-campaigns/client#CampaignControls': CampaignControls_wa3,
  'payload-plugin-whatsapp-campaigns/client#CampaignRecipients': CampaignRecipients_wa4,
  'payload-plugin-whatsapp-campaigns/client#CsvPreview': CsvPreview_wa5,
  'payload-plugin-whatsapp-campaigns/client#ParameterMappingsField': ParameterMappingsField_wa6,
  'payload-plugin-whatsapp-campaigns/client#StatusBadge': StatusBadge_wa7,
  'payload-plugin-whatsapp-campaigns/client#SyncTemplatesButton': SyncTemplatesButton_wa8,
  'payload-plugin-whatsapp-campaigns/client#TemplatePreview': TemplatePreview_wa9,
  'payload-plugin-whatsapp-campaigns/rsc#AnalyticsView': AnalyticsView_wa10,
}
