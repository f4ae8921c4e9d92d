// Where the function app keeps its data: the storage account the Functions host itself uses
// (AzureWebJobsStorage), unless COUNCILGUARD_STORAGE_ACCOUNT or COUNCILGUARD_STORAGE say otherwise.
// Outside Azure the store falls back to a local Azurite; inside the function app that would silently
// keep history on a disposable disk, so a missing AzureWebJobsStorage is refused with the fix.
import { ConfigError } from '../core/errors';

export function appStorageEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (env.COUNCILGUARD_STORAGE_ACCOUNT?.trim() || env.COUNCILGUARD_STORAGE?.trim()) return env;
  const account = env.AzureWebJobsStorage__accountName?.trim();
  if (account) return { ...env, COUNCILGUARD_STORAGE_ACCOUNT: account };
  const connection = env.AzureWebJobsStorage?.trim();
  if (connection) return { ...env, COUNCILGUARD_STORAGE: connection };
  throw new ConfigError('AzureWebJobsStorage is not set: the function app needs its storage account. Set AzureWebJobsStorage__accountName (with AzureWebJobsStorage__credential = managedidentity, as infra/main.bicep does), or a connection string in AzureWebJobsStorage.');
}
