// The route table: method + path pattern -> the roles that allow it (any one), the licence Graph
// demands, and the handler. Other route files add their rows here.
import { graphError, type SimRequest, type SimResponse } from '../http';
import { directoryRoutes } from './directory';
import { identityRoutes } from './identity';
import { mailRoutes } from './mail';
import { filesRoutes } from './files';
import { auditRoutes } from './audit';
import { uploadRoutes } from './uploads';
import { mailboxContentRoutes } from './mailbox-content';

export interface Route {
  method: string;
  path: RegExp;
  roles: string[];
  licence?: 'p1' | 'p2' | 'intune';
  handle(req: SimRequest, match: RegExpExecArray): SimResponse | Promise<SimResponse>;
}

const ROUTES: Route[] = [...directoryRoutes, ...identityRoutes, ...mailRoutes, ...mailboxContentRoutes, ...uploadRoutes, ...filesRoutes, ...auditRoutes];

export async function routeGraph(req: SimRequest): Promise<SimResponse> {
  for (const route of ROUTES) {
    if (route.method !== req.method) continue;
    const match = route.path.exec(req.path);
    if (!match) continue;
    if (!route.roles.some((r) => req.roles.includes(r))) {
      return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    }
    if (route.licence && !req.tenant.licences[route.licence]) {
      return graphError(403, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', 'Neither tenant is B2C or tenant doesn\'t have premium license');
    }
    return route.handle(req, match);
  }
  return graphError(400, 'BadRequest', `Resource not found for the segment '${req.path.split('/')[1] ?? ''}'.`);
}
