// The latest stored report.html of one council (by name or tenant id), for the HTTP endpoint.
import { loadCouncilFile } from './council-context';
import { storeFromEnvironment } from '../store';

export async function latestReport(env: NodeJS.ProcessEnv, council: string): Promise<{ status: 'ok'; html: string } | { status: 'not-found'; message: string }> {
  if (!env.COUNCILGUARD_CONFIG) throw Object.assign(new Error('COUNCILGUARD_CONFIG is not set: point it at the council config JSON file deployed with the app.'), { name: 'ConfigError' });
  const config = loadCouncilFile(env.COUNCILGUARD_CONFIG);
  const wanted = council.toLowerCase();
  const match = config.councils.find((c) => c.tenantId.toLowerCase() === wanted || c.name.toLowerCase() === wanted);
  if (!match) return { status: 'not-found', message: `No council "${council}" in the config; use one of: ${config.councils.map((c) => c.name).join(', ')}.` };
  const { store, stop } = await storeFromEnvironment({ env, inMemory: false });
  try {
    const html = await store.readRunFile(match.tenantId, 'latest', 'report.html');
    return html ? { status: 'ok', html: html.toString('utf8') } : { status: 'not-found', message: `${match.name} has not been audited yet.` };
  } finally {
    await stop();
  }
}
