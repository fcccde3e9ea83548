import type { AdminRole } from '@keyway/protocol';
import { createContext, useContext } from 'react';
import type { SpaceModel } from './model/space';

/** What every screen of a space needs: the live model, the caller's role, and whether she may write. */
export interface SpaceCtx {
  model: SpaceModel;
  role: AdminRole | null;
  readOnly: boolean;
  userId: string;
}

export const SpaceContext = createContext<SpaceCtx | null>(null);

export function useSpace(): SpaceCtx {
  const s = useContext(SpaceContext);
  if (!s) throw new Error('useSpace outside a space');
  return s;
}
