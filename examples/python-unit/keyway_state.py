"""The parts of examples/python-unit that keep things: the synced view (§10.4) and the outbox (§6)."""

import json
import os
import re
import tempfile
import threading
from collections import deque
from datetime import datetime


def log(msg):
    print(f"{datetime.now().isoformat(timespec='seconds')} {msg}", flush=True)


class State:
    """§10.4: the view and cursor, stored atomically (temp file, fsync, rename)."""

    def __init__(self, path, unit_id):
        self.path, self.unit_id = path, unit_id
        self.cursor, self.view = None, {}
        try:
            with open(path) as f:
                data = json.load(f)
            if data.get("unitId") == unit_id and isinstance(data.get("view"), dict):
                self.cursor, self.view = data.get("cursor"), data["view"]
                log(f"resuming from {path} at {self.cursor}")
        except (OSError, ValueError):
            log(f"no usable state file at {path}; starting with no view")

    def save(self):
        d = os.path.dirname(os.path.abspath(self.path))
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".keyway-unit-")
        with os.fdopen(fd, "w") as f:
            json.dump({"version": 1, "unitId": self.unit_id, "cursor": self.cursor, "view": self.view}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


def already_applied(current, incoming):
    """§10.3: same epoch and n <= ours; another epoch is always applied."""
    if current is None:
        return False
    if current == incoming:
        return True
    a, b = re.match(r"^(.+)\.(\d{1,15})$", current), re.match(r"^(.+)\.(\d{1,15})$", incoming)
    if not a or not b or a.group(1) != b.group(1):
        return False
    return int(b.group(2)) <= int(a.group(2))


class Outbox:
    """§6: acks and events kept until the broker acknowledged them (PUBACK), sent again in their
    original order after a reconnect; at most 1,000, the oldest dropped first."""

    LIMIT = 1000

    def __init__(self, send):
        self.send = send  # (topic, payload) -> mid, or None when offline
        self.items = deque()  # [topic, payload, mid]
        self.lock = threading.Lock()
        # PUBACKs arrive on paho's thread with its own lock held: noted here without our lock
        # (a deque's append is atomic), dropped from `items` on the next call that holds it.
        self.done = deque()

    def _prune(self):
        mids = set()
        while self.done:
            mids.add(self.done.popleft())
        if mids:
            self.items = deque(i for i in self.items if i[2] is None or i[2] not in mids)

    def push(self, topic, payload):
        with self.lock:
            self._prune()
            item = [topic, payload, None]
            self.items.append(item)
            while len(self.items) > self.LIMIT:
                self.items.popleft()
            item[2] = self.send(topic, payload)

    def flush(self):
        with self.lock:
            self._prune()
            for item in self.items:
                item[2] = self.send(item[0], item[1])

    def acked(self, mid):
        self.done.append(mid)

    def disconnected(self):
        with self.lock:
            self._prune()
            for item in self.items:
                item[2] = None
