import type { Migration } from 'kysely';
import type { Dialect } from '../connect';
import { init } from './001_init';
import { sync } from './002_sync';
import { sharedValues } from './003_shared_values';
import { changesSpace } from './004_changes_space';
import { fewerPages } from './005_fewer_pages';
import { cluster } from './006_cluster';
import { smsWindows } from './007_sms_windows';
import { audit } from './008_audit';
import { rateWindows } from './009_rate_windows';
import { unitClock } from './010_unit_clock';
import { apiKeys } from './012_api_keys';

/** Every schema migration, by name in the order they run. */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '001_init': init(dialect),
    '002_sync': sync(dialect),
    '003_shared_values': sharedValues(),
    '004_changes_space': changesSpace(),
    '005_fewer_pages': fewerPages(dialect),
    '006_cluster': cluster(),
    '007_sms_windows': smsWindows(),
    '008_audit': audit(dialect),
    '009_rate_windows': rateWindows(),
    '010_unit_clock': unitClock(),
    '012_api_keys': apiKeys(),
  };
}
