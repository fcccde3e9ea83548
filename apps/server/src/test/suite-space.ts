import { afterAll, beforeAll } from 'vitest';
import { buildSpace } from './fixtures';
import { TestServer } from './harness';

export type BuiltSpace = Awaited<ReturnType<typeof buildSpace>>;

/**
 * For a suite: a real server with `buildSpace`'s space, started before its tests and stopped
 * after. Read `t` and `s` inside the tests (they are set once the suite has started).
 */
export function suiteSpace(): { t: TestServer; s: BuiltSpace } {
  const suite = {} as { t: TestServer; s: BuiltSpace };
  beforeAll(async () => {
    suite.t = await TestServer.start();
    suite.s = await buildSpace(suite.t);
  });
  afterAll(() => suite.t.stop());
  return suite;
}
