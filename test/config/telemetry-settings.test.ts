// The function app's Application Insights settings: Entra-authenticated ingestion as main.bicep deploys it
// (local authentication off), and a clear refusal of a malformed setting rather than silently lost telemetry.
import { ConfigError } from '../../core/errors';
import { readTelemetrySettings } from '../../config/env';

const CONNECTION = 'InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://uksouth-1.in.applicationinsights.azure.com/';

describe('readTelemetrySettings', () => {
  it('exports nothing without a connection string', () => {
    expect(readTelemetrySettings({})).toEqual({});
  });

  it("signs ingestion in as the identity the authentication string names (main.bicep's form)", () => {
    expect(readTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD' }))
      .toEqual({ connectionString: CONNECTION, entraClientId: '11111111-2222-3333-4444-555555555555' });
  });

  it('uses the connection string alone when no authentication string is set', () => {
    expect(readTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION })).toEqual({ connectionString: CONNECTION });
  });

  it.each([
    ['no client id', 'Authorization=AAD'],
    ['another scheme', 'ClientId=abc;Authorization=Key'],
  ])('refuses an authentication string with %s, naming the form', (_why, value) => {
    expect(() => readTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: value })).toThrow(ConfigError);
    expect(() => readTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: value })).toThrow(/ClientId=<the user-assigned identity's client id>;Authorization=AAD/);
  });

  it('refuses a connection string without an instrumentation key', () => {
    expect(() => readTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'https://example' })).toThrow(/Overview page/);
  });
});
