import type { RouteDef } from '../http/route';
import { adminRoutes } from './admins';
import { apiKeyRoutes } from './api-keys';
import { auditRoutes } from './audit';
import { authRoutes } from './auth';
import { doorRoutes } from './doors';
import { eventRoutes } from './events';
import { groupRoutes } from './groups';
import { memberRoutes } from './members';
import { receiptRoutes } from './receipts';
import { spaceRoutes } from './spaces';
import { unitRoutes } from './units';

export const routes: RouteDef[] = [
  ...authRoutes,
  ...spaceRoutes,
  ...adminRoutes,
  ...unitRoutes,
  ...doorRoutes,
  ...groupRoutes,
  ...memberRoutes,
  ...eventRoutes,
  ...auditRoutes,
  ...receiptRoutes,
  ...apiKeyRoutes,
];
