// CouncilGuard on Azure: a Flex Consumption Function App (Node 20, Linux) with a system-assigned managed
// identity, its storage account reached by identity (shared keys off), Key Vault for the one secret an
// IT supplier may need (a multi-tenant app's certificate), and Application Insights.
@description('Short name used in every resource name, e.g. "cg-exampleparish".')
@minLength(3)
@maxLength(18)
param baseName string

param location string = resourceGroup().location

@description('Tenant the council\'s Microsoft 365 lives in (for a single-council deployment).')
param councilTenantId string = tenant().tenantId

@description('Client id of the multi-tenant app registration an IT supplier uses for several councils; empty = use the managed identity.')
param appClientId string = ''

@description('NCRONTAB schedule (UTC on Linux plans). The job keeps the firing that is 02:00 in the UK.')
param auditSchedule string = '0 0 1,2 * * *'

@description('The council config JSON (councils[...]) deployed beside the app.')
param councilConfigPath string = 'config/councils.json'

@description('Days a run\'s reports are kept in Blob storage (13 months by default).')
param reportRetentionDays int = 396

var suffix = uniqueString(resourceGroup().id, baseName)
var storageName = take(toLower(replace('${baseName}${suffix}', '-', '')), 24)
var deploymentContainer = 'app-package'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainer
}

// Retention of the reports (the policies ask for proportionate monitoring).
resource retention 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-old-runs'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: [ 'blockBlob' ], prefixMatch: [ 'runs/' ] }
            actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: reportRetentionDays } } }
          }
        }
      ]
    }
  }
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${baseName}-logs'
  location: location
  properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${baseName}-insights'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: take('${baseName}-kv-${suffix}', 24)
  location: location
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${baseName}-plan'
  location: location
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: '${baseName}-${suffix}'
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: { type: 'SystemAssignedIdentity' }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: 40, instanceMemoryMB: 2048 }
      runtime: { name: 'node', version: '22' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [
        { name: 'AzureWebJobsStorage__accountName', value: storage.name }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD' }
        { name: 'COUNCILGUARD_STORAGE_ACCOUNT', value: storage.name }
        { name: 'COUNCILGUARD_CONFIG', value: councilConfigPath }
        { name: 'COUNCILGUARD_USE_MANAGED_IDENTITY', value: empty(appClientId) ? 'true' : 'false' }
        { name: 'AZURE_TENANT_ID', value: councilTenantId }
        { name: 'AZURE_CLIENT_ID', value: appClientId }
        { name: 'AZURE_CLIENT_CERTIFICATE_PATH', value: '' }
        { name: 'GRAPH_BASE_URL', value: 'https://graph.microsoft.com' }
        { name: 'EXCHANGE_BASE_URL', value: 'https://outlook.office365.com' }
        { name: 'AUDIT_SCHEDULE', value: auditSchedule }
        { name: 'AUDIT_LOCAL_HOUR', value: '2' }
        // A surrender activity stops and hands over well inside the Flex Consumption time limit.
        { name: 'COUNCILGUARD_ACTIVITY_BUDGET_SECONDS', value: '600' }
        { name: 'REPORT_RETENTION_DAYS', value: string(reportRetentionDays) }
        { name: 'KEY_VAULT_URI', value: vault.properties.vaultUri }
      ]
    }
  }
}

// Built-in role ids: Storage Blob Data Owner, Storage Table Data Contributor, Storage Queue Data
// Contributor (the Functions host and durable-functions use queues), Key Vault Secrets User,
// Monitoring Metrics Publisher.
var roles = {
  blobOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  tableContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  queueContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  metricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource blobRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, app.id, roles.blobOwner)
  properties: { principalId: app.identity.principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobOwner) }
}

resource tableRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, app.id, roles.tableContributor)
  properties: { principalId: app.identity.principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.tableContributor) }
}

resource queueRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, app.id, roles.queueContributor)
  properties: { principalId: app.identity.principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueContributor) }
}

resource vaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, app.id, roles.keyVaultSecretsUser)
  properties: { principalId: app.identity.principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser) }
}

resource insightsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: insights
  name: guid(insights.id, app.id, roles.metricsPublisher)
  properties: { principalId: app.identity.principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.metricsPublisher) }
}

output functionAppName string = app.name
output managedIdentityObjectId string = app.identity.principalId
output storageAccountName string = storage.name
output keyVaultUri string = vault.properties.vaultUri
