import { TOPIC_ROOT } from '@keyway/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { AppError } from '../errors';
import { newId } from '../ids';
import {
  type DynsecAcl,
  SERVER_ROLE,
  serverAcls,
  UNIT_PREFIX,
  unitAcls,
  unitRole,
} from './dynsec-acl';
import { NODES_ROOT } from './node-roster';
import type { UnitAccounts } from './unit-accounts';

const REQUEST = '$CONTROL/dynamic-security/v1';
const RESPONSE = '$CONTROL/dynamic-security/v1/response';
const BATCH = 100;

type Command = { command: string } & Record<string, unknown>;
interface Reply {
  command: string;
  error?: string;
  data?: unknown;
  correlationData?: string;
}

/** Errors that mean "already as wanted": deleting what is gone, creating what is there. */
const HARMLESS = new Set([
  'Client already exists',
  'Client not found',
  'Role not found',
  'Role already exists',
]);

/**
 * Units' accounts in Mosquitto's dynamic-security plugin, managed over its topic API
 * (`$CONTROL/dynamic-security/v1`, https://mosquitto.org/documentation/dynamic-security/) by
 * the server's own broker user, a dynsec admin (`mosquitto_ctrl dynsec init`). Each unit gets a
 * client named by its id and a role of the same name whose ACL is its own topics only. Changing
 * a password or deleting a client makes Mosquitto (2.0.11 too) kick its live connection.
 */
export class DynsecAccounts implements UnitAccounts {
  private client?: MqttClient;
  private waiting = new Map<string, (r: Reply) => void>();
  private unitIds?: () => Promise<readonly string[]>;
  private reconciling?: Promise<void>;

  constructor(
    private opts: {
      url: string;
      username: string;
      password: string;
      log: Logger;
      /** How long a command may wait for the broker's answer. */
      timeoutMs: number;
      /** Between reconcile's two looks (see reconcile). */
      graceMs: number;
    },
  ) {}

  async start(): Promise<void> {
    const client = mqtt.connect(this.opts.url, {
      clientId: newId('keyway-dynsec'),
      username: this.opts.username,
      password: this.opts.password,
      protocolVersion: 5,
      clean: true,
      reconnectPeriod: 1000,
    });
    this.client = client;
    client.on('message', (topic, payload) => {
      if (topic !== RESPONSE) return;
      let body: { responses?: Reply[] };
      try {
        body = JSON.parse(payload.toString());
      } catch {
        return;
      }
      for (const r of body.responses ?? []) {
        const done = r.correlationData && this.waiting.get(r.correlationData);
        if (done) done(r);
      }
    });
    client.on('error', (err) =>
      this.opts.log.warn(
        { category: 'mqtt', err: err.message },
        'dynsec client error',
      ),
    );
    let connects = 0;
    // Subscribed on every connect: a clean session forgets it.
    client.on('connect', () => {
      client.subscribe(RESPONSE, { qos: 1 }, () => {
        // Back after an outage: what was deleted meanwhile loses its account now.
        const unitIds = this.unitIds;
        if (connects++ > 0 && unitIds)
          this.reconcile(unitIds).catch((err) =>
            this.opts.log.warn(
              { category: 'mqtt', err },
              'broker reconcile failed',
            ),
          );
      });
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    // Before the server's link connects: it needs the role to publish unit topics.
    await this.ensureServerRole();
  }

  async create(unitId: string, password: string): Promise<void> {
    await this.expect([
      { command: 'deleteClient', username: unitId },
      { command: 'deleteRole', rolename: unitRole(unitId) },
      {
        command: 'createRole',
        rolename: unitRole(unitId),
        acls: unitAcls(unitId),
      },
      {
        command: 'createClient',
        username: unitId,
        // §2: the broker accepts these credentials only under client id `unit-{unitId}`.
        clientid: unitClientId(unitId),
        password,
        textname: 'Keyway unit',
        roles: [{ rolename: unitRole(unitId) }],
      },
    ]);
  }

  async reset(unitId: string, password: string): Promise<void> {
    const [r] = await this.run([
      { command: 'setClientPassword', username: unitId, password },
    ]);
    // The broker lost the account (a restored or fresh dynamic-security.json): make it anew.
    if (r?.error === 'Client not found') return this.create(unitId, password);
    if (r?.error) throw this.refused(r);
  }

  async remove(unitId: string): Promise<void> {
    await this.expect([
      { command: 'deleteClient', username: unitId },
      { command: 'deleteRole', rolename: unitRole(unitId) },
    ]);
  }

  /**
   * Deletes the unit clients and roles the database no longer has (deleted while the broker
   * was unreachable) and recreates the missing roles of the units it has. A unit whose client is
   * missing (the broker's file was lost) gets one without a password: the server keeps only a
   * hash, so an administrator must reset its credentials; each such unit is logged.
   *
   * Another node may be creating a unit meanwhile (broker first, then its commit) or deleting
   * one (commit, then broker): only what two looks `graceMs` apart both find wrong is changed.
   * Runs again each time this connection comes back.
   */
  async reconcile(unitIds: () => Promise<readonly string[]>): Promise<void> {
    this.unitIds = unitIds;
    if (this.reconciling) return this.reconciling;
    this.reconciling = this.reconcileOnce(unitIds).finally(() => {
      this.reconciling = undefined;
    });
    return this.reconciling;
  }

  private async reconcileOnce(
    unitIds: () => Promise<readonly string[]>,
  ): Promise<void> {
    const first = await this.plan(unitIds);
    if (first.size === 0) return;
    await new Promise((r) => setTimeout(r, this.opts.graceMs));
    const second = await this.plan(unitIds);
    const commands = [...first.keys()]
      .filter((k) => second.has(k))
      .map((k) => first.get(k)!);
    for (let i = 0; i < commands.length; i += BATCH)
      await this.expect(commands.slice(i, i + BATCH));
    const lost = commands
      .filter((c) => c.command === 'createClient')
      .map((c) => c.username);
    this.opts.log.info(
      {
        category: 'mqtt',
        removed: commands.filter((c) => c.command === 'deleteClient').length,
      },
      'broker unit accounts reconciled with the database',
    );
    if (lost.length)
      this.opts.log.warn(
        { category: 'mqtt', units: lost },
        `${lost.length} unit(s) had no broker account; reset their credentials`,
      );
  }

  /** What would make the broker match the database now, keyed by command. */
  private async plan(
    unitIds: () => Promise<readonly string[]>,
  ): Promise<Map<string, Command>> {
    const [clients, roles] = await this.run([
      { command: 'listClients', verbose: false, count: -1 },
      { command: 'listRoles', verbose: false, count: -1 },
    ]);
    const brokerClients = names(clients, 'clients', 'username');
    const brokerRoles = names(roles, 'roles', 'rolename');
    const ids = await unitIds();
    const wanted = new Set(ids);
    const commands: Command[] = [];
    for (const name of brokerClients)
      if (name.startsWith(UNIT_PREFIX) && !wanted.has(name))
        commands.push({ command: 'deleteClient', username: name });
    for (const name of brokerRoles)
      if (name.startsWith(UNIT_PREFIX) && !wanted.has(name))
        commands.push({ command: 'deleteRole', rolename: name });
    for (const id of ids) {
      if (!brokerRoles.has(unitRole(id)))
        commands.push({
          command: 'createRole',
          rolename: unitRole(id),
          acls: unitAcls(id),
        });
      if (!brokerClients.has(id))
        commands.push({
          command: 'createClient',
          username: id,
          clientid: unitClientId(id),
          textname: 'Keyway unit (reset its credentials)',
          roles: [{ rolename: unitRole(id) }],
        });
    }
    return new Map(commands.map((c) => [JSON.stringify(c), c]));
  }

  private async ensureServerRole(): Promise<void> {
    const { username } = this.opts;
    const acls = serverAcls(TOPIC_ROOT, NODES_ROOT);
    await this.expect([{ command: 'createRole', rolename: SERVER_ROLE, acls }]);
    await this.ensureRoleAcls(acls);
    const [me] = await this.run([{ command: 'getClient', username }]);
    if (me?.error) throw this.refused(me);
    if (hasServerRole(me)) return;
    // Adding a role kicks every connection of this user, this one too (its answer may be
    // lost with it): only once, when the broker is new.
    await this.run(
      [{ command: 'addClientRole', username, rolename: SERVER_ROLE }],
      500,
    ).catch(() => {});
    // The kicked connection comes back within its reconnect period; ask until it answers.
    for (let i = 0; i < 10; i++) {
      const [again] = await this.run(
        [{ command: 'getClient', username }],
        500,
      ).catch(() => [undefined]);
      if (hasServerRole(again)) return;
    }
    throw new AppError(
      'broker_unavailable',
      `could not give ${username} the ${SERVER_ROLE} role`,
    );
  }

  /**
   * A role made by an older Keyway lacks some ACLs (`_nodes/#`, issue 17): add them. Changing
   * a role kicks every connection of its clients — this one, and the other nodes' — so only
   * what is missing, once; the answer may be lost with the kicked connection, so ask again.
   */
  private async ensureRoleAcls(acls: DynsecAcl[]): Promise<void> {
    const missing = async (timeoutMs?: number) => {
      const [role] = await this.run(
        [{ command: 'getRole', rolename: SERVER_ROLE }],
        timeoutMs,
      );
      if (role?.error) throw this.refused(role);
      const have = (
        (role?.data as { role?: { acls?: DynsecAcl[] } } | undefined)?.role
          ?.acls ?? []
      ).map((a) => `${a.acltype} ${a.topic} ${a.allow}`);
      return acls.filter(
        (a) => !have.includes(`${a.acltype} ${a.topic} ${a.allow}`),
      );
    };
    const add = await missing();
    if (!add.length) return;
    this.opts.log.info(
      { category: 'mqtt', acls: add.map((a) => `${a.acltype} ${a.topic}`) },
      `adding ACLs to the broker role ${SERVER_ROLE}`,
    );
    await this.run(
      add.map((a) => ({ command: 'addRoleACL', rolename: SERVER_ROLE, ...a })),
      500,
    ).catch(() => {});
    for (let i = 0; i < 10; i++) {
      const left = await missing(500).catch(() => add);
      if (!left.length) return;
    }
    throw new AppError(
      'broker_unavailable',
      `could not add ACLs to the ${SERVER_ROLE} role`,
    );
  }

  /** Runs commands; any error but a harmless one is a refusal. */
  private async expect(commands: Command[]): Promise<void> {
    const replies = await this.run(commands);
    const bad = replies.find((r) => r.error && !HARMLESS.has(r.error));
    if (bad) throw this.refused(bad);
  }

  private refused(r: Reply): AppError {
    this.opts.log.error(
      { category: 'mqtt', command: r.command, error: r.error },
      'dynamic-security command refused',
    );
    return new AppError(
      'broker_unavailable',
      `The broker refused ${r.command}: ${r.error}`,
    );
  }

  /** One request message; resolves with every command's reply, in order. */
  private run(
    commands: Command[],
    timeoutMs = this.opts.timeoutMs,
  ): Promise<Reply[]> {
    const client = this.client;
    if (!client) return Promise.reject(new AppError('broker_unavailable'));
    const batch = newId('dynsec', 8);
    const ids = commands.map((_, i) => `${batch}.${i}`);
    return new Promise<Reply[]>((resolve, reject) => {
      const replies = new Map<string, Reply>();
      const cleanup = () => {
        clearTimeout(timer);
        for (const id of ids) this.waiting.delete(id);
      };
      const timer = setTimeout(() => {
        cleanup();
        this.opts.log.warn(
          { category: 'mqtt', commands: commands.map((c) => c.command) },
          'dynamic-security: no answer from the broker',
        );
        reject(new AppError('broker_unavailable'));
      }, timeoutMs);
      for (const id of ids)
        this.waiting.set(id, (r) => {
          replies.set(id, r);
          if (replies.size < ids.length) return;
          cleanup();
          resolve(ids.map((x) => replies.get(x)!));
        });
      const body = JSON.stringify({
        commands: commands.map((c, i) => ({ ...c, correlationData: ids[i] })),
      });
      client.publish(REQUEST, body, { qos: 1 }, (err) => {
        if (!err) return;
        cleanup();
        reject(new AppError('broker_unavailable'));
      });
    });
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true);
  }
}

function hasServerRole(reply: Reply | undefined): boolean {
  const data = reply?.data as
    | { client?: { roles?: { rolename: string }[] } }
    | undefined;
  return data?.client?.roles?.some((r) => r.rolename === SERVER_ROLE) === true;
}

/** Names from a listClients/listRoles reply (plain strings, or objects when verbose). */
function names(
  reply: Reply | undefined,
  list: string,
  key: string,
): Set<string> {
  if (reply?.error)
    throw new AppError(
      'broker_unavailable',
      `${reply.command}: ${reply.error}`,
    );
  const items = ((reply?.data as Record<string, unknown>)?.[list] ??
    []) as unknown[];
  return new Set(
    items.map((x) =>
      typeof x === 'string' ? x : String((x as Record<string, unknown>)[key]),
    ),
  );
}

/** The only client id a unit's credentials are accepted under (docs/unit-protocol.md §2). */
const unitClientId = (unitId: string) => `unit-${unitId}`;
