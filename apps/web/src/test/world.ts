import type { Browser } from 'playwright-core';
import type { Clock } from '../../../server/src/clock';
import { buildSpace, PHONES } from '../../../server/src/test/fixtures';
import { expectStatus } from '../../../server/src/test/harness';
import { UnitProcess, waitFor } from '../../../server/src/test/unit-process';
import { launchChromium } from './phone';
import { WebServer } from './web-server';

export { PHONES };

/**
 * What every browser suite starts from: a real server serving the built app, the fixtures'
 * space (two doors, one group) with its real unit process online, a member in the group, and
 * Chromium.
 */
export async function startWorld(
  opts: { clock?: Clock; member?: Record<string, unknown> } = {},
) {
  const server = await WebServer.start({ clock: opts.clock });
  const space = await buildSpace(server as never);
  const unit = UnitProcess.spawn(space.credentials);
  try {
    const member = expectStatus(
      await server.request('POST', `/v1/spaces/${space.space.id}/members`, {
        token: space.owner,
        body: {
          phone: PHONES.member,
          name: 'Marta',
          groupIds: [space.group.id],
          ...opts.member,
        },
      }),
      201,
    ).member as { id: string };
    await waitFor(async () => {
      const res = await server.request(
        'GET',
        `/v1/spaces/${space.space.id}/units`,
        { token: space.owner },
      );
      return res.body.units[0]?.online === true;
    }, 'the unit to come online');
    const browser: Browser = await launchChromium();
    return {
      server,
      ...space,
      unit,
      member,
      browser,
      async stop() {
        await browser.close();
        await unit.kill();
        await server.stop();
      },
    };
  } catch (err) {
    // A world that failed half-way (no Chromium, say) leaves no unit process or server behind.
    await unit.kill();
    await server.stop();
    throw err;
  }
}
export type World = Awaited<ReturnType<typeof startWorld>>;
