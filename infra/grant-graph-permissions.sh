#!/usr/bin/env bash
# Grants the function app's managed identity (or a multi-tenant app's service principal) the Microsoft
# Graph application permissions that `councilguard permissions --json` lists for the council config.
# Needs: az CLI signed in as a Privileged Role Administrator (or Global Administrator) of the council
# tenant, node, and this repository built (npm ci && npm run build).
#   infra/grant-graph-permissions.sh <service-principal-object-id> <council-config.json>
set -euo pipefail
sp="${1:?give the service principal object id (the Bicep output managedIdentityObjectId, or the object id of the enterprise application of the app)}"
config="${2:?give the council config JSON file}"
here="$(cd "$(dirname "$0")/.." && pwd)"
GRAPH_APP_ID=00000003-0000-0000-c000-000000000000

graph_sp=$(az ad sp show --id "$GRAPH_APP_ID" --query id -o tsv)
manifest=$(mktemp)
trap 'rm -f "$manifest"' EXIT
node "$here/bin/councilguard.js" permissions --config "$config" --json > "$manifest"
# The Graph permissions of every council in the file, once each.
wanted=$(node -e 'const m=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));const s=new Set();for(const c of m)for(const p of c.permissions)if(p.resource==="Microsoft Graph")s.add(p.permission);console.log([...s].join(" "))' "$manifest")

existing=$(az rest --method GET --uri "https://graph.microsoft.com/v1.0/servicePrincipals/$sp/appRoleAssignments" --query "value[].appRoleId" -o tsv)
for permission in $wanted; do
  role=$(az ad sp show --id "$GRAPH_APP_ID" --query "appRoles[?value=='$permission' && contains(allowedMemberTypes, 'Application')].id | [0]" -o tsv)
  if [ -z "$role" ]; then echo "No Graph application permission named $permission; check graph/permissions.ts" >&2; exit 1; fi
  if grep -q "$role" <<<"$existing"; then echo "already granted: $permission"; continue; fi
  az rest --method POST --uri "https://graph.microsoft.com/v1.0/servicePrincipals/$sp/appRoleAssignments" \
    --headers "Content-Type=application/json" \
    --body "{\"principalId\":\"$sp\",\"resourceId\":\"$graph_sp\",\"appRoleId\":\"$role\"}" >/dev/null
  echo "granted: $permission"
done
echo "Exchange.ManageAsApp (optional, for mailbox-level forwarding) is granted on 'Office 365 Exchange Online' the same way,"
echo "plus an Exchange role for the service principal (see infra/README.md)."
