import { type OpenCommand, unitTopics } from '@keyway/protocol';
import mqtt, { type MqttClient } from 'mqtt';

/** What the fake unit answers a command with: an ack payload, or null for silence. */
export type AckReply = (cmd: OpenCommand) => Record<string, unknown> | null;

/**
 * A unit made of a bare MQTT client, for answers the reference unit never gives (a `failed`
 * relay, an unknown result, an ack held back): it subscribes, announces itself online and
 * acks each command as `reply` says.
 */
export class FakeUnit {
  commands: OpenCommand[] = [];
  reply: AckReply = (cmd) => ack(cmd, 'opened');

  private constructor(
    readonly client: MqttClient,
    readonly unitId: string,
  ) {
    client.on('message', (topic, payload) => {
      if (topic !== unitTopics(unitId).commands) return;
      const cmd = JSON.parse(String(payload)) as OpenCommand;
      this.commands.push(cmd);
      const a = this.reply(cmd);
      if (a) void this.sendAck(cmd, a);
    });
  }

  static async connect(
    credentials: { username: string; password: string; mqttUrl: string },
    status: Record<string, unknown> = { relays: 2 },
  ): Promise<FakeUnit> {
    const unitId = credentials.username;
    const client = await mqtt.connectAsync(credentials.mqttUrl, {
      clientId: `unit-${unitId}`,
      username: credentials.username,
      password: credentials.password,
      reconnectPeriod: 0,
      will: {
        topic: unitTopics(unitId).status,
        payload: Buffer.from('{"online":false}'),
        qos: 1,
        retain: true,
      },
    });
    const t = unitTopics(unitId);
    await client.subscribeAsync([t.commands, t.sync], { qos: 1 });
    await client.publishAsync(
      t.status,
      JSON.stringify({ online: true, at: new Date().toISOString(), ...status }),
      { qos: 1, retain: true },
    );
    return new FakeUnit(client, unitId);
  }

  /** Publishes an ack for `cmd` where it asked for it. */
  async sendAck(cmd: OpenCommand, payload: Record<string, unknown>) {
    await this.client.publishAsync(
      cmd.ackTopic ?? unitTopics(this.unitId).acks,
      JSON.stringify(payload),
      { qos: 1 },
    );
  }

  async publish(kind: 'status' | 'events', payload: unknown, retain = false) {
    await this.client.publishAsync(
      unitTopics(this.unitId)[kind],
      JSON.stringify(payload),
      { qos: 1, retain },
    );
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

export const ack = (
  cmd: OpenCommand,
  result: string,
  message?: string,
): Record<string, unknown> => ({
  commandId: cmd.id,
  result,
  at: new Date().toISOString(),
  ...(message ? { message } : {}),
});
