// The route table: method + path pattern -> the roles that allow it (any one), the licence Graph
// demands, and the handler. Other route files add their rows here.
import { graphError, nonPremium, type SimRequest, type SimResponse } from '../http';
import { directoryRoutes } from './directory';
import { identityRoutes } from './identity';
import { mailRoutes, sendMailRoutes } from './mail';
import { filesRoutes } from './files';
import { auditRoutes } from './audit';
import { uploadRoutes } from './uploads';
import { mailboxContentRoutes } from './mailbox-content';
import { memberOfRoutes } from './member-of';
import { enforcementRoutes } from './enforcement';
import { roleManagementRoutes } from './role-management';

export interface Route {
  method: string;
  path: RegExp;
  roles: string[];
  licence?: 'p1' | 'p2' | 'intune';
  /** API versions that have the route (default both). */
  versions?: Array<'v1.0' | 'beta'>;
  handle(req: SimRequest, match: RegExpExecArray): SimResponse | Promise<SimResponse>;
}

const ROUTES: Route[] = [...directoryRoutes, ...identityRoutes, ...mailRoutes, ...mailboxContentRoutes, ...sendMailRoutes, ...uploadRoutes, ...filesRoutes, ...auditRoutes, ...memberOfRoutes, ...enforcementRoutes, ...roleManagementRoutes];

/** Adds routes (from a new file under routes/) ahead of the built-in ones. */
export function registerRoutes(routes: Route[]): void {
  ROUTES.unshift(...routes);
}

/** Every route, in the order a request is matched against them. */
export function allRoutes(): readonly Route[] {
  return [...ROUTES];
}

/**
 * The route that handles a request: the first one that exists in the API version and has the method and
 * a matching path. routeGraph dispatches through it; test/graph/permission-table.test.ts holds
 * graph/permissions.ts against the roles and licence of the route it finds.
 */
export function routeFor(method: string, path: string, version: string): { route: Route; match: RegExpExecArray } | undefined {
  for (const route of ROUTES) {
    if (!inVersion(route, version) || route.method !== method) continue;
    const match = route.path.exec(path);
    if (match) return { route, match };
  }
  return undefined;
}

// A route missing from this API version does not exist there at all (400), whatever its method.
const inVersion = (route: Route, version: string) => !route.versions || route.versions.includes(version as 'v1.0' | 'beta');

export async function routeGraph(req: SimRequest): Promise<SimResponse> {
  const found = routeFor(req.method, req.path, req.version);
  if (!found) {
    const otherMethod = ROUTES.some((route) => inVersion(route, req.version) && route.method !== req.method && route.path.test(req.path));
    if (otherMethod) return graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
    return graphError(400, 'BadRequest', `Resource not found for the segment '${req.path.split('/').pop() ?? ''}'.`);
  }
  const { route, match } = found;
  if (!route.roles.some((r) => req.roles.includes(r))) {
    return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  }
  if (route.licence && !req.tenant.licences[route.licence]) {
    return nonPremium();
  }
  try {
    return await route.handle(req, match);
  } catch (err) {
    if (err instanceof SyntaxError) return graphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
    throw err;
  }
}
