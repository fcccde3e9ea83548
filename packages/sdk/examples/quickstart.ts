// The README's quickstart, runnable: log in by SMS code (or use a token), add a member, open a
// door, and watch the open arrive as a live event.
//
//   KEYWAY_URL=http://127.0.0.1:8480 KEYWAY_PHONE=+34600000001 npx tsx packages/sdk/examples/quickstart.ts
//   (it asks for the SMS code; `npm start` prints it)  — or KEYWAY_TOKEN=<session token or kw_... key>
//
// packages/sdk/examples/quickstart.e2e.test.ts runs this file against a real server and unit.
import { createInterface } from 'node:readline/promises';
import { createKeyway, KeywayError } from '@keyway/sdk';
import WebSocket from 'ws';

const baseUrl = process.env.KEYWAY_URL ?? 'http://127.0.0.1:8480';
const memberPhone = process.env.KEYWAY_MEMBER_PHONE ?? '+34600000077';

// 1. A token: an API key or session token you already have, or log in by SMS code.
let token = process.env.KEYWAY_TOKEN;
if (!token) {
  const phone = process.env.KEYWAY_PHONE ?? '+34600000001';
  const anonymous = createKeyway({ baseUrl });
  await anonymous.POST('/v1/auth/code', { body: { phone } });
  const prompt = createInterface({
    input: process.stdin,
    output: process.stdout,
  });
  const code = await prompt.question(`SMS code sent to ${phone}. Code: `);
  prompt.close();
  ({ token } = await anonymous.POST('/v1/auth/verify', {
    body: { phone, code: code.trim(), deviceName: 'sdk quickstart' },
  }));
}
const keyway = createKeyway({ baseUrl, token });

// 2. A space you administer, one of its doors, and a group that opens it.
const { spaces } = await keyway.GET('/v1/spaces');
const space = spaces[0];
if (!space) throw new Error('No space: create one first (POST /v1/spaces).');
const spaceId = space.id;
const { doors } = await keyway.GET('/v1/spaces/{spaceId}/doors', {
  params: { path: { spaceId } },
});
const door = doors[0];
if (!door) throw new Error(`Space ${space.name} has no door.`);
const { group } = await keyway.POST('/v1/spaces/{spaceId}/groups', {
  params: { path: { spaceId } },
  body: { name: `Quickstart ${Date.now()}`, doorIds: [door.id] },
});

// 3. Add a member: weekday evenings only, in the space's time zone.
try {
  const { member } = await keyway.POST('/v1/spaces/{spaceId}/members', {
    params: { path: { spaceId } },
    body: {
      phone: memberPhone,
      name: 'Quickstart member',
      groupIds: [group.id],
      access: {
        timeFrames: [
          {
            days: ['mon', 'tue', 'wed', 'thu', 'fri'],
            from: '18:00',
            to: '22:00',
          },
        ],
      },
    },
  });
  console.log(`member ${member.id} added (${member.phone})`);
} catch (e) {
  // Every error answer is a KeywayError with the API's stable code.
  if (!(e instanceof KeywayError && e.code === 'conflict')) throw e;
  console.log(`${memberPhone} is already a member: ${e.message}`);
}

// 4. Live events: the sync client gets a snapshot, then every change as it commits.
const live = keyway.sync({ WebSocketImpl: WebSocket });
const opened = new Promise<string>((resolve) => {
  live.on('change', ({ events }) => {
    for (const event of events)
      if (event.type === 'door.open' && event.doorId === door.id) {
        console.log(`live: ${event.type} ${event.result} at ${event.at}`);
        resolve(event.id);
      }
  });
});
const isLive = new Promise<void>((resolve) =>
  live.on('status', (s) => s === 'live' && resolve()),
);
live.on('error', (e) => console.error(`sync: ${e.code} ${e.message}`));
live.start();
await isLive;

// 5. Open the door: resolves once the unit confirmed the relay pulse.
try {
  const { result, event } = await keyway.POST('/v1/doors/{doorId}/open', {
    params: { path: { doorId: door.id } },
  });
  console.log(`${door.name}: ${result} (event ${event.id})`);
  const seen = await opened;
  console.log(`the live event is the same open: ${seen === event.id}`);
} catch (e) {
  if (e instanceof KeywayError)
    console.error(`could not open: ${e.status} ${e.code} — ${e.message}`);
  process.exitCode = 1;
} finally {
  live.stop();
}
