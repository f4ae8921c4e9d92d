// The function app's telemetry: the Azure Monitor OpenTelemetry distro, started once when
// APPLICATIONINSIGHTS_CONNECTION_STRING is set, and the invocation logger that writes each line both to
// context.log (the Functions host's log stream) and as an OpenTelemetry log record whose attributes are
// the line's dimensions (customDimensions in Application Insights). context.log cannot carry custom
// properties: it joins its arguments into the message. See docs/ARCHITECTURE.md, "Telemetry".
import type { InvocationContext } from '@azure/functions';
import { ManagedIdentityCredential } from '@azure/identity';
import { logs, SeverityNumber, type LogAttributes } from '@opentelemetry/api-logs';
import type { LogDimensions, Logger } from '../core/logger';
import { readTelemetrySettings } from '../config/env';

let started = false;

/**
 * Starts the distro once, when a connection string is set. Loaded on demand: the distro is large, and
 * an app without Application Insights (and every test) should not pay for it at start-up.
 */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env): boolean {
  const { connectionString, entraClientId } = readTelemetrySettings(env);
  if (!connectionString || started) return started;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when telemetry is on (see above)
  const { useAzureMonitor } = require('@azure/monitor-opentelemetry') as typeof import('@azure/monitor-opentelemetry');
  // Local authentication is off on the deployment's Application Insights: ingestion is signed in as the identity.
  const credential = entraClientId ? new ManagedIdentityCredential({ clientId: entraClientId }) : undefined;
  useAzureMonitor({ azureMonitorExporterOptions: { connectionString, credential } });
  started = true;
  return true;
}

const SEVERITY = {
  info: { number: SeverityNumber.INFO, text: 'INFO' },
  warn: { number: SeverityNumber.WARN, text: 'WARN' },
  error: { number: SeverityNumber.ERROR, text: 'ERROR' },
} as const;

/** The invocation's logger: context.log for the host, an OpenTelemetry record with the dimensions for Azure Monitor. */
export function invocationLogger(context: InvocationContext, fixed: LogDimensions = {}): Logger {
  const otel = logs.getLogger('councilguard');
  const write = (level: keyof typeof SEVERITY) => (message: string, dimensions?: LogDimensions) => {
    if (level === 'info') context.log(message);
    else if (level === 'warn') context.warn(message);
    else context.error(message);
    const attributes: LogAttributes = { functionName: context.functionName, invocationId: context.invocationId };
    for (const [k, v] of Object.entries({ ...fixed, ...dimensions })) if (v !== undefined && v !== '') attributes[k] = v;
    otel.emit({ severityNumber: SEVERITY[level].number, severityText: SEVERITY[level].text, body: message, attributes });
  };
  const logger: Logger = { info: write('info'), warn: write('warn'), error: write('error'), with: (more) => invocationLogger(context, { ...fixed, ...more }) };
  return logger;
}
