#!/usr/bin/env bash
# Lets the function app's user-assigned managed identity sign in as the multi-tenant CouncilGuard app:
# a federated identity credential on the app registration whose issuer is the identity's tenant, whose
# subject is the identity's object (principal) id and whose audience is api://AzureADTokenExchange. The
# app then needs no secret or certificate. The identity and the app registration must be in the same
# tenant (the IT supplier's); an app registered elsewhere is refused with AADSTS700236.
# Needs: az CLI signed in to that tenant as an Application Administrator (or the app's owner).
#   infra/setup-federated-credential.sh <app id> <managedIdentityObjectId (Bicep output)>
# Then, for each council: an administrator of the council's tenant consents to the app
#   https://login.microsoftonline.com/<council tenant id>/adminconsent?client_id=<app id>
# and infra/grant-graph-permissions.sh grants its Graph permissions there (with the object id of the
# app's enterprise application in that tenant).
set -euo pipefail
app_id="${1:?give the app registration's Application (client) id}"
principal="${2:?give the managed identity's object id (the Bicep output managedIdentityObjectId)}"
tenant=$(az account show --query tenantId -o tsv)
login=$(az cloud show --query endpoints.activeDirectory -o tsv)
issuer="${login%/}/$tenant/v2.0"

body=$(mktemp)
trap 'rm -f "$body"' EXIT
printf '{"name":"councilguard-function-app","issuer":"%s","subject":"%s","audiences":["api://AzureADTokenExchange"],"description":"The CouncilGuard function app'"'"'s user-assigned managed identity"}' "$issuer" "$principal" > "$body"
# At most 20 federated credentials per app; the same issuer and subject cannot be added twice.
if az ad app federated-credential list --id "$app_id" --query "[?subject=='$principal' && issuer=='$issuer'] | [0].id" -o tsv | grep -q .; then
  echo "already trusted: $principal ($issuer)"
else
  az ad app federated-credential create --id "$app_id" --parameters "@$body" >/dev/null
  echo "trusted: the managed identity $principal signs in as $app_id without a secret"
fi
