// CouncilGuard on Azure: a Flex Consumption Function App (Node 22, Linux) behind App Service
// authentication (Entra sign-in required, 401 to anyone unauthenticated), running as one user-assigned
// managed identity: its storage reached by that identity (shared keys off), Graph in other tenants through
// the IT supplier's multi-tenant app registration, which trusts the identity as a federated credential (no
// secret; infra/setup-federated-credential.sh), Key Vault for a certificate if a supplier prefers one,
// basic publishing credentials off, and the logs of the app, storage and vault in Log Analytics.
@description('Short name used in every resource name, e.g. "cg-exampleparish".')
@minLength(3)
@maxLength(18)
param baseName string

param location string = resourceGroup().location

@description('Tenant the council\'s Microsoft 365 lives in (for a single-council deployment).')
param councilTenantId string = tenant().tenantId

@description('Client id of the multi-tenant app registration an IT supplier uses for several councils; empty = use the managed identity.')
param appClientId string = ''

@description('Client id of the CouncilGuard sign-in app registration (infra/app-registration.json, applied by infra/register-app.sh): the audience of every sign-in token. Required: the app never runs without sign-in.')
@minLength(36)
@maxLength(36)
param signInClientId string

@description('Issuer App Service checks sign-ins against. One council: its tenant\'s v2.0 issuer (the default). An IT supplier with councils in several tenants: https://login.microsoftonline.com/organizations/v2.0, and the app itself then accepts only the tenants in the council config.')
param signInIssuer string = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'

@description('Name of the app registration\'s certificate in the Key Vault (PEM), only if the supplier uses a certificate instead of the federated credential; empty = federated credential.')
param keyVaultCertificateName string = ''

@description('Resource id of a subnet (delegated to Microsoft.App/environments, with the Microsoft.Storage and Microsoft.KeyVault service endpoints) for VNet integration; when given, the storage account and the vault accept only that subnet. Empty = public endpoints, reached by identity only.')
param vnetSubnetId string = ''

@description('NCRONTAB schedule (UTC on Linux plans). The job keeps the firing that is 02:00 in the UK.')
param auditSchedule string = '0 0 1,2 * * *'

@description('The council config JSON (councils[...]) deployed beside the app.')
param councilConfigPath string = 'config/councils.json'

@description('Where the app reads the council config: blob (the newest valid version `councilguard config push` uploaded; change councils without a redeploy) or file (councilConfigPath in the package).')
@allowed(['blob', 'file'])
param configSource string = 'file'

@description('The public https address of the function app, if not its default host (for links in reports and emails to plan pages). Empty = https://<default host name>.')
param publicUrl string = ''

@description('Days a run\'s reports are kept in Blob storage (13 months by default).')
param reportRetentionDays int = 396

@description('Email address that receives CouncilGuard\'s alerts (no successful nightly audit for a council in 26 h, a surrender failed or stuck over 24 h, a delivery channel started failing). Empty = no alert rules.')
param alertEmail string = ''

var suffix = uniqueString(resourceGroup().id, baseName)
var storageName = take(toLower(replace('${baseName}${suffix}', '-', '')), 24)
var deploymentContainer = 'app-package'
var restrictNetwork = !empty(vnetSubnetId)
// Locked to the app's subnet when VNet integration is on; Azure's trusted services (diagnostics) still reach them.
var networkAcls = restrictNetwork ? {
  defaultAction: 'Deny'
  bypass: 'AzureServices'
  virtualNetworkRules: [ { id: vnetSubnetId } ]
} : {
  defaultAction: 'Allow'
  bypass: 'AzureServices'
}

// The app's one identity: storage, Application Insights, Key Vault, and the federated credential of the
// multi-tenant app registration (or, for a single council, Graph in its own tenant).
resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${baseName}-id'
  location: location
}

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
    isHnsEnabled: false
    networkAcls: restrictNetwork ? {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
      virtualNetworkRules: [ { id: vnetSubnetId, action: 'Allow' } ]
    } : {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
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
    networkAcls: networkAcls
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
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${uami.id}': {} } }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: restrictNetwork ? vnetSubnetId : null
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: uami.id }
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
        { name: 'AzureWebJobsStorage__clientId', value: uami.properties.clientId }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${uami.properties.clientId};Authorization=AAD' }
        { name: 'COUNCILGUARD_STORAGE_ACCOUNT', value: storage.name }
        { name: 'COUNCILGUARD_CONFIG', value: councilConfigPath }
        { name: 'COUNCILGUARD_CONFIG_SOURCE', value: configSource }
        { name: 'COUNCILGUARD_PUBLIC_URL', value: publicUrl }
        { name: 'COUNCILGUARD_USE_MANAGED_IDENTITY', value: empty(appClientId) ? 'true' : 'false' }
        { name: 'AZURE_TENANT_ID', value: councilTenantId }
        { name: 'AZURE_CLIENT_ID', value: appClientId }
        { name: 'AZURE_CLIENT_CERTIFICATE_PATH', value: '' }
        // With an app registration: the identity is its federated credential (or the Key Vault certificate, if named).
        { name: 'COUNCILGUARD_MANAGED_IDENTITY_CLIENT_ID', value: uami.properties.clientId }
        { name: 'COUNCILGUARD_CERTIFICATE_NAME', value: keyVaultCertificateName }
        // The app checks every caller's Entra token itself too: audience, issuer host.
        { name: 'COUNCILGUARD_SIGNIN_CLIENT_ID', value: signInClientId }
        { name: 'COUNCILGUARD_SIGNIN_AUTHORITY', value: environment().authentication.loginEndpoint }
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

// App Service authentication: every request needs a signed-in Entra user; anyone else gets 401 (this
// applies to the whole app, the clerk's page included, which is reached after /.auth/login/aad). The
// platform forwards the ID token from its token store (X-MS-TOKEN-AAD-ID-TOKEN), which the app validates
// again (functions/auth.ts). No client secret: the sign-in uses the ID token alone.
resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
    }
    httpSettings: { requireHttps: true }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: signInClientId
          openIdIssuer: signInIssuer
        }
        validation: {
          allowedAudiences: [ signInClientId, 'api://${signInClientId}' ]
        }
      }
    }
    login: {
      tokenStore: { enabled: true }
    }
  }
}

// Deployment uses the identity (the Flex deployment container), never FTP or SCM basic credentials.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

// Built-in role ids: Storage Blob Data Contributor (read and write blobs: runs, plans, the deployment
// package, the host's leases; Owner adds only ACL management on hierarchical-namespace accounts, which
// this one is not), Storage Table Data Contributor, Storage Queue Data Contributor (the Functions host
// and durable-functions use queues), Key Vault Secrets User (a certificate's key is read as a secret),
// Monitoring Metrics Publisher.
var roles = {
  blobContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  tableContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  queueContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  metricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource blobRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, uami.id, roles.blobContributor)
  properties: { principalId: uami.properties.principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobContributor) }
}

resource tableRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, uami.id, roles.tableContributor)
  properties: { principalId: uami.properties.principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.tableContributor) }
}

resource queueRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, uami.id, roles.queueContributor)
  properties: { principalId: uami.properties.principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueContributor) }
}

resource vaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, uami.id, roles.keyVaultSecretsUser)
  properties: { principalId: uami.properties.principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser) }
}

resource insightsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: insights
  name: guid(insights.id, uami.id, roles.metricsPublisher)
  properties: { principalId: uami.properties.principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.metricsPublisher) }
}

// Diagnostic settings: the app's logs, blob access and Key Vault's audit events go to Log Analytics.
resource appDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: app
  name: 'to-log-analytics'
  properties: {
    workspaceId: logs.id
    logs: [ { category: 'FunctionAppLogs', enabled: true } ]
    metrics: [ { category: 'AllMetrics', enabled: true } ]
  }
}

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: blobService
  name: 'to-log-analytics'
  properties: {
    workspaceId: logs.id
    logs: [ { category: 'StorageRead', enabled: true }, { category: 'StorageWrite', enabled: true }, { category: 'StorageDelete', enabled: true } ]
    metrics: [ { category: 'Transaction', enabled: true } ]
  }
}

resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: vault
  name: 'to-log-analytics'
  properties: {
    workspaceId: logs.id
    logs: [ { categoryGroup: 'audit', enabled: true } ]
    metrics: [ { category: 'AllMetrics', enabled: true } ]
  }
}

// Alerts on the log lines the code writes (jobs/notify.ts MARKERS, jobs/offboarding.ts SURRENDER_MARKERS;
// each carries tenantId=<the council's tenant>): App Insights log search alerts with one email action group.
// A log alert reads at most a 2-day window, so a council silent for longer than that stops alerting; the
// first day's alert has been sent by then (and is repeated at most daily).
var alerting = !empty(alertEmail)

resource alertGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (alerting) {
  name: '${baseName}-alerts'
  location: 'global'
  properties: {
    groupShortName: 'councilgrd'
    enabled: true
    emailReceivers: [ { name: 'it-supplier', emailAddress: alertEmail, useCommonAlertSchema: true } ]
  }
}

var tenantOf = 'extend tenantId = extract(@"tenantId=([0-9a-fA-F-]{36})", 1, message)'

resource auditSilentAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = if (alerting) {
  name: '${baseName}-no-successful-audit'
  location: location
  kind: 'LogAlert'
  properties: {
    displayName: 'CouncilGuard: no successful nightly audit for a council in 26 h'
    description: 'A council whose nightly audit logged councilguard.audit.* in the last 2 days but no councilguard.audit.succeeded in the last 26 hours.'
    severity: 1
    enabled: true
    scopes: [ insights.id ]
    evaluationFrequency: 'PT1H'
    windowSize: 'P2D'
    criteria: {
      allOf: [
        {
          query: 'traces | where message contains "councilguard.audit." | ${tenantOf} | where isnotempty(tenantId) | summarize lastSuccess = maxif(timestamp, message contains "councilguard.audit.succeeded") by tenantId | where isnull(lastSuccess) or lastSuccess < ago(26h)'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [ { name: 'tenantId', operator: 'Include', values: [ '*' ] } ]
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    autoMitigate: false
    muteActionsDuration: 'P1D'
    actions: { actionGroups: [ alertGroup.id ] }
  }
}

resource surrenderAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = if (alerting) {
  name: '${baseName}-surrender-failed-or-stuck'
  location: location
  kind: 'LogAlert'
  properties: {
    displayName: 'CouncilGuard: a surrender failed or is stuck over 24 h'
    description: 'councilguard.surrender.failed in the last hour, or a councilguard.surrender.started more than 24 hours ago with no councilguard.surrender.ended or failed since.'
    severity: 1
    enabled: true
    scopes: [ insights.id ]
    evaluationFrequency: 'PT1H'
    windowSize: 'P2D'
    criteria: {
      allOf: [
        {
          query: 'let events = traces | where message contains "councilguard.surrender." | ${tenantOf} | extend surrenderId = extract(@"surrenderId=([0-9a-f]+)", 1, message); let failed = events | where message contains "councilguard.surrender.failed" and timestamp > ago(1h) | summarize by tenantId, surrenderId; let stuck = events | summarize started = minif(timestamp, message contains "councilguard.surrender.started"), finished = maxif(timestamp, message contains "councilguard.surrender.ended" or message contains "councilguard.surrender.failed") by tenantId, surrenderId | where isnotnull(started) and started < ago(24h) and (isnull(finished) or finished < started) | project tenantId, surrenderId; union failed, stuck'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [ { name: 'tenantId', operator: 'Include', values: [ '*' ] } ]
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    autoMitigate: false
    muteActionsDuration: 'PT12H'
    actions: { actionGroups: [ alertGroup.id ] }
  }
}

resource deliveryAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = if (alerting) {
  name: '${baseName}-delivery-failed'
  location: location
  kind: 'LogAlert'
  properties: {
    displayName: 'CouncilGuard: a delivery channel started failing (email, SharePoint, Teams webhook)'
    description: 'councilguard.delivery.alert: logged once when a channel starts failing, not again until it has succeeded.'
    severity: 2
    enabled: true
    scopes: [ insights.id ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: 'traces | where message contains "councilguard.delivery.alert" | ${tenantOf} | extend channel = extract(@"channel=(\\w+)", 1, message)'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [ { name: 'tenantId', operator: 'Include', values: [ '*' ] }, { name: 'channel', operator: 'Include', values: [ '*' ] } ]
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    autoMitigate: false
    actions: { actionGroups: [ alertGroup.id ] }
  }
}

output functionAppName string = app.name
output functionAppHostName string = app.properties.defaultHostName
@description('Object id of the app\'s managed identity: grant it Graph permissions for a single council (infra/grant-graph-permissions.sh).')
output managedIdentityObjectId string = uami.properties.principalId
@description('Client id of the managed identity: the subject of the app registration\'s federated credential (infra/setup-federated-credential.sh).')
output managedIdentityClientId string = uami.properties.clientId
output storageAccountName string = storage.name
output keyVaultUri string = vault.properties.vaultUri
