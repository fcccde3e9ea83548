#!/usr/bin/env python3
"""A minimal Keyway door unit, written from docs/unit-protocol.md (v1) alone.

Python 3 and paho-mqtt 1.6 (Debian's python3-paho-mqtt). Relays and door sensors are
simulated: a pulse opens the door, which reports `closed` again CLOSE_MS later.
Settings from the environment, the same names as the reference unit:
KEYWAY_UNIT_URL, KEYWAY_UNIT_USERNAME, KEYWAY_UNIT_PASSWORD, KEYWAY_UNIT_RELAYS (default 2),
KEYWAY_UNIT_STATE_FILE (default ./keyway-unit-{unitId}.json), KEYWAY_UNIT_SIM_CLOSE_MS (3000),
KEYWAY_UNIT_LAT and KEYWAY_UNIT_LON (the installed position, optional).
"""

import json
import os
import random
import re
import signal
import ssl
import threading
import time
from collections import OrderedDict
from datetime import datetime, timezone
from urllib.parse import urlparse

import paho.mqtt.client as mqtt

from keyway_state import Outbox, State, already_applied, log

AGENT = "keyway-python-example/0.1 (sim)"
KEEPALIVE_S = 15  # §2
REMEMBER_S = 600  # §5.2: ids kept 10 min past expiry
MAX_IDS = 10_000


def now_iso():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(s):
    """RFC 3339 with Z or an offset; None if it is not one."""
    if not isinstance(s, str) or not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", s):
        return None
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class Unit:
    def __init__(self):
        env = os.environ
        self.url = urlparse(env["KEYWAY_UNIT_URL"])
        self.unit_id = env["KEYWAY_UNIT_USERNAME"]
        self.password = env["KEYWAY_UNIT_PASSWORD"]
        self.relays = int(env.get("KEYWAY_UNIT_RELAYS", "2"))
        self.close_s = int(env.get("KEYWAY_UNIT_SIM_CLOSE_MS", "3000")) / 1000
        lat, lon = env.get("KEYWAY_UNIT_LAT"), env.get("KEYWAY_UNIT_LON")
        self.location = {"lat": float(lat), "lon": float(lon)} if lat and lon else None
        self.state = State(env.get("KEYWAY_UNIT_STATE_FILE", f"./keyway-unit-{self.unit_id}.json"), self.unit_id)
        base = f"keyway/v1/units/{self.unit_id}"
        self.t = {k: f"{base}/{k}" for k in ("status", "commands", "acks", "events", "sync", "applied")}
        self.doors = {r: "closed" for r in range(1, self.relays + 1)}
        self.close_timers = {}
        self.executed = OrderedDict()  # id -> forget-after time (§5.2)
        self.lock = threading.Lock()
        self.stopping = False

        self.outbox = Outbox(self.publish_kept)
        self.client = None
        self.online = False
        self.pending_sub = None
        self.ceiling = 0.5

    def new_client(self):
        """A fresh client per connection: paho would resend its own queue at CONNACK, before
        the status (§7 wants subscribe, status, then what waited), so the outbox is ours alone."""
        c = mqtt.Client(client_id=f"unit-{self.unit_id}", clean_session=True, protocol=mqtt.MQTTv311)
        c.username_pw_set(self.unit_id, self.password)
        c.will_set(self.t["status"], json.dumps({"online": False}), qos=1, retain=True)
        if self.url.scheme == "mqtts":
            ctx = ssl.create_default_context(cafile=os.environ.get("KEYWAY_UNIT_CA"))  # verify, always (§1)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            c.tls_set_context(ctx)
        c.on_connect = self.on_connect
        c.on_subscribe = self.on_subscribe
        c.on_disconnect = self.on_disconnect
        c.on_publish = lambda _c, _u, mid: self.outbox.acked(mid)
        c.message_callback_add(self.t["commands"], self.on_command)
        c.message_callback_add(self.t["sync"], self.on_sync)
        return c

    def publish_kept(self, topic, payload):
        """Sends one outbox item now if online; its mid, or None to keep it for the next connect."""
        if not self.online:
            return None
        info = self.client.publish(topic, payload, qos=1)
        return info.mid if info.rc == mqtt.MQTT_ERR_SUCCESS else None

    # §7: connect -> subscribe, wait for SUBACK -> status online -> resume -> boot state.
    def on_connect(self, client, _userdata, _flags, rc):
        if rc != 0:
            log(f"connect refused (CONNACK {rc}); retrying")
            return
        log("connected")
        self.ceiling = 0.5
        _, self.pending_sub = client.subscribe([(self.t["commands"], 1), (self.t["sync"], 1)])

    def on_subscribe(self, client, _userdata, mid, granted):
        if mid != self.pending_sub:
            return
        if any(q == 0x80 for q in granted):
            log(f"broker refused a subscription: {granted}")
        status = {"online": True, "at": now_iso(), "agent": AGENT, "relays": self.relays}
        if self.location:
            status["location"] = self.location
        client.publish(self.t["status"], json.dumps(status), qos=1, retain=True)
        self.online = True
        self.outbox.flush()  # §6: what waited, in order
        client.publish(self.t["applied"], json.dumps({"type": "resume", "cursor": self.state.cursor}), qos=1)
        if self.location:
            self.event({"type": "position", "location": self.location, "at": now_iso()})
        at = now_iso()
        for relay in range(1, self.relays + 1):  # §4.4 boot state
            self.event({"type": "door", "relay": relay, "state": self.doors[relay], "at": at})

    def on_disconnect(self, _client, _userdata, rc):
        self.online = False
        self.outbox.disconnected()
        if not self.stopping:
            log(f"disconnected (rc {rc})")

    def event(self, e):
        self.outbox.push(self.t["events"], json.dumps(e))

    def ack(self, command_id, result, ack_topic=None, message=None):
        topic = self.t["acks"]
        # §4.3: exactly one level below our own acks, no / + #.
        if isinstance(ack_topic, str) and ack_topic.startswith(topic + "/"):
            level = ack_topic[len(topic) + 1:]
            if 0 < len(level) <= 64 and not re.search(r"[/+#\x00]", level):
                topic = ack_topic
        a = {"commandId": command_id, "result": result, "at": now_iso()}
        if message:
            a["message"] = message[:500]
        self.outbox.push(topic, json.dumps(a))

    # §4.2, §4.3, §5: invalid -> duplicate -> expired -> failed -> open.
    def on_command(self, _client, _userdata, msg):
        try:
            cmd = json.loads(msg.payload)
        except ValueError:
            log("command is not JSON: dropped")
            return
        cid = cmd.get("id") if isinstance(cmd, dict) else None
        if not isinstance(cid, str) or not 1 <= len(cid) <= 64:
            log("command without a readable id: dropped")
            return
        ack_topic = cmd.get("ackTopic")
        problem = self.invalid(cmd)
        if problem:
            return self.ack(cid, "invalid", ack_topic, problem)
        with self.lock:
            self.forget_old()
            if cid in self.executed:
                return self.ack(cid, "duplicate", ack_topic)
            expires = parse_time(cmd["expiresAt"])
            if time.time() >= expires:
                return self.ack(cid, "expired", ack_topic, f"expired at {cmd['expiresAt']}")
            if cmd["relay"] > self.relays:
                return self.ack(cid, "failed", ack_topic, f"relay {cmd['relay']} is not wired")
            self.executed[cid] = expires + REMEMBER_S  # recorded before the relay moves
            while len(self.executed) > MAX_IDS:
                self.executed.popitem(last=False)
        self.pulse(cmd["relay"], cmd["pulseMs"])
        self.ack(cid, "opened", ack_topic)

    @staticmethod
    def invalid(cmd):
        if cmd.get("type") != "open":
            return f"unknown type {cmd.get('type')!r}"
        if not 8 <= len(cmd["id"]) <= 64:
            return "id: 8-64 characters"
        for field, lo, hi in (("relay", 1, 4), ("pulseMs", 50, 30000)):
            v = cmd.get(field)
            if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
                return f"{field}: an integer {lo}-{hi}"
        for field in ("issuedAt", "expiresAt"):
            if parse_time(cmd.get(field)) is None:
                return f"{field}: a date-time"
        if "ackTopic" in cmd and not isinstance(cmd["ackTopic"], str):
            return "ackTopic: a string"
        return None

    def forget_old(self):
        t = time.time()
        while self.executed and next(iter(self.executed.values())) < t:
            self.executed.popitem(last=False)

    def pulse(self, relay, ms):
        log(f"relay {relay} pulsed {ms} ms")
        self.set_door(relay, "open")
        old = self.close_timers.get(relay)
        if old:
            old.cancel()
        timer = threading.Timer(self.close_s, self.set_door, (relay, "closed"))
        timer.daemon = True
        self.close_timers[relay] = timer
        timer.start()

    def set_door(self, relay, state):
        if self.doors[relay] == state:
            return  # §4.4: changes only
        self.doors[relay] = state
        self.event({"type": "door", "relay": relay, "state": state, "at": now_iso()})

    # §10.3: snapshot replaces, change applies (or is a duplicate); store, then report (§10.4).
    def on_sync(self, _client, _userdata, msg):
        try:
            m = json.loads(msg.payload)
        except ValueError:
            return
        if not isinstance(m, dict) or not isinstance(m.get("cursor"), str) or not 1 <= len(m["cursor"]) <= 80:
            return
        cursor = m["cursor"]
        if m.get("type") == "snapshot" and isinstance(m.get("view"), dict):
            self.state.view = dict(m["view"])
        elif m.get("type") == "change" and isinstance(m.get("ops"), list) and isinstance(m.get("at"), str):
            if already_applied(self.state.cursor, cursor):
                return self.report(cursor)
            if not all(self.valid_op(op) for op in m["ops"]):
                return
            for op in m["ops"]:
                if op["op"] == "put":
                    self.state.view[op["key"]] = op["value"]
                else:
                    self.state.view.pop(op["key"], None)
        else:
            return  # heartbeat, error, anything else: ignored, not reported
        self.state.cursor = cursor
        try:
            self.state.save()
        except OSError as err:
            log(f"could not save the state file: {err}")
            return
        self.report(cursor)

    @staticmethod
    def valid_op(op):
        return isinstance(op, dict) and isinstance(op.get("key"), str) and (
            (op.get("op") == "put" and "value" in op) or op.get("op") == "del")

    def report(self, cursor):
        self.client.publish(self.t["applied"], json.dumps({"type": "applied", "cursor": cursor}), qos=0)

    def run(self):
        """§8: retry forever, full jitter, ceiling 0.5 s doubling to 30 s, reset on a connect."""
        port = self.url.port or (8883 if self.url.scheme == "mqtts" else 1883)
        while not self.stopping:
            try:
                log(f"connecting to {self.url.hostname}:{port}")
                self.client = self.new_client()
                self.client.connect(self.url.hostname, port, keepalive=KEEPALIVE_S)
                rc = mqtt.MQTT_ERR_SUCCESS
                while rc == mqtt.MQTT_ERR_SUCCESS and not self.stopping:
                    rc = self.client.loop(timeout=0.2)
            except OSError as err:
                log(f"connect failed: {err}")
            if self.stopping:
                break
            delay = random.uniform(0, self.ceiling)
            self.ceiling = min(self.ceiling * 2, 30)
            log(f"retrying in {delay:.2f} s")
            time.sleep(delay)
        self.goodbye()

    def goodbye(self):
        """§7: status {online: false, at} retained, then DISCONNECT (no will)."""
        if self.client and self.client.is_connected():
            info = self.client.publish(
                self.t["status"], json.dumps({"online": False, "at": now_iso()}), qos=1, retain=True)
            deadline = time.time() + 2
            while not info.is_published() and time.time() < deadline:
                self.client.loop(timeout=0.1)
            self.client.disconnect()
            self.client.loop(timeout=0.1)
        log("stopped")

    def stop(self, *_):
        self.stopping = True  # the loop in run() says goodbye


if __name__ == "__main__":
    unit = Unit()
    signal.signal(signal.SIGTERM, unit.stop)
    signal.signal(signal.SIGINT, unit.stop)
    unit.run()
