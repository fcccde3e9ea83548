import { z } from 'zod';
import { IsoTime } from '../common';

const Counts = z.object({
  total: z.number().int(),
  received: z.number().int(),
  /** Clients that have not acknowledged it yet, with the last cursor each did acknowledge. */
  pending: z.array(
    z.object({ clientId: z.string(), cursor: z.number().int() }),
  ),
});

/** One change of a space and who has it: "applied on 3 of 4 units, 2 of 2 phones". */
export const ChangeReceipt = z.object({
  cursor: z.string(),
  at: IsoTime,
  ops: z.number().int(),
  events: z.number().int(),
  phones: Counts,
  dashboards: Counts,
  units: Counts,
});
export const ReceiptsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20),
});
export const ReceiptsResponse = z.object({ receipts: z.array(ChangeReceipt) });
