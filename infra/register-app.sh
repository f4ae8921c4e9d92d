#!/usr/bin/env bash
# Creates or updates the CouncilGuard app registration from infra/app-registration.json: multi-tenant,
# v2.0 tokens, ID tokens for App Service authentication (no client secret), and the three app roles
# (Offboarding.Request, Enforcement.Approve, Reports.Read). Run it in the IT supplier's tenant (or the
# council's, for a single council), before main.bicep: its client id is the Bicep's signInClientId, and
# for several councils also its appClientId.
# Needs: az CLI signed in as an Application Administrator (or the app's owner), node.
#   infra/register-app.sh [<function app host name, e.g. cg-exampleparish-abc.azurewebsites.net>] [<existing app id>]
# Run it again with the host name once the function app exists: it adds App Service's sign-in callback.
set -euo pipefail
host="${1:-}"
app_id="${2:-}"
here="$(cd "$(dirname "$0")" && pwd)"

if [ -z "$app_id" ]; then
  app_id=$(az ad app list --display-name CouncilGuard --query "[0].appId" -o tsv)
fi
if [ -z "$app_id" ]; then
  app_id=$(az ad app create --display-name CouncilGuard --sign-in-audience AzureADMultipleOrgs --query appId -o tsv)
  echo "created the app registration $app_id"
fi

# The manifest, plus the sign-in callback of the function app when its host name is known.
body=$(mktemp)
trap 'rm -f "$body"' EXIT
node -e '
  const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  delete m.$comment;
  if (process.argv[2]) m.web.redirectUris = [`https://${process.argv[2]}/.auth/login/aad/callback`];
  process.stdout.write(JSON.stringify(m));
' "$here/app-registration.json" "$host" > "$body"
# Update application (Microsoft Graph v1.0); an app role in use must be disabled before it can be removed.
az rest --method PATCH --uri "https://graph.microsoft.com/v1.0/applications(appId='$app_id')" \
  --headers "Content-Type=application/json" --body "@$body" >/dev/null
# The enterprise application (service principal) in this tenant, where roles are assigned to people.
az ad sp show --id "$app_id" >/dev/null 2>&1 || az ad sp create --id "$app_id" >/dev/null
az ad sp update --id "$app_id" --set appRoleAssignmentRequired=true

echo "app registration: $app_id (deploy main.bicep with signInClientId=$app_id)"
echo "Assign the roles in Entra admin centre → Enterprise applications → CouncilGuard → Users and groups:"
echo "  Offboarding.Request to the clerk; Reports.Read and Enforcement.Approve to the IT supplier's staff."
