// GET /users/{id}/memberOf: the groups and directory roles a user is a direct member of, as Graph lists
// them (each typed with @odata.type). The surrender's close step reads it to remove a leaver from groups.
import { notFound, page } from '../http';
import { findUser, groupView } from '../state';
import type { Route } from '.';

export const memberOfRoutes: Route[] = [
  {
    method: 'GET', path: /^\/users\/([^/]+)\/memberOf$/, roles: ['GroupMember.Read.All', 'GroupMember.ReadWrite.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    handle: (req, m) => {
      const u = findUser(req.tenant, m[1]);
      if (!u) return notFound(m[1]);
      const groups = req.tenant.groups.filter((g) => g.members.includes(u.id))
        .map((g) => ({ '@odata.type': '#microsoft.graph.group', ...groupView(g) }));
      const roles = req.tenant.directoryRoles.filter((r) => r.members.includes(u.id))
        .map((r) => ({ '@odata.type': '#microsoft.graph.directoryRole', id: r.id, displayName: r.displayName, roleTemplateId: r.roleTemplateId }));
      return page(req, [...groups, ...roles]);
    },
  },
];
