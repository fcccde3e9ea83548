#!/usr/bin/env bash
# What `npm test` needs beyond npm packages: Debian's Chromium for the browser suites, Debian's
# Mosquitto 2 (with mosquitto_ctrl and the dynamic-security plugin) for *.mosquitto.test.ts,
# Debian's HAProxy for cluster/haproxy.sqlite.test.ts, the cluster tests and deploy/haproxy/'s
# check, Debian's python3-paho-mqtt for examples/python-unit (run by the conformance kit's tests),
# and a reachable PostgreSQL for the server-pg suite. Installs/starts them when this machine can.
set -u
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core
  else
    echo "The browser tests need Debian's Chromium at /usr/bin/chromium: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi
if [ ! -x /usr/sbin/mosquitto ] || [ ! -x /usr/bin/mosquitto_ctrl ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's mosquitto for the broker tests (they start their own on a free port)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto
  else
    echo "The broker tests need Debian's Mosquitto 2: sudo apt-get install -y mosquitto" >&2
    exit 1
  fi
fi
if [ ! -x /usr/sbin/haproxy ] && [ ! -x /usr/bin/haproxy ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's haproxy for the load-balancer tests (they start their own on a free port)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy
  else
    echo "The load-balancer tests and npm run cluster need Debian's HAProxy: sudo apt-get install -y haproxy" >&2
    exit 1
  fi
fi
if ! /usr/bin/python3 -c 'import paho.mqtt' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's python3-paho-mqtt for examples/python-unit (the conformance tests run it)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-paho-mqtt
  else
    echo "The conformance tests run examples/python-unit on Debian's python3: sudo apt-get install -y python3-paho-mqtt" >&2
    exit 1
  fi
fi
if command -v pg_isready >/dev/null && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  if [ "$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
fi
if ! (command -v pg_isready >/dev/null && pg_isready -h 127.0.0.1 -p 5432 -q) && [ -z "${KEYWAY_TEST_PG_URL:-}" ]; then
  echo "The server-pg suite needs PostgreSQL at postgres://postgres@127.0.0.1:5432/test (or set KEYWAY_TEST_PG_URL)." >&2
  exit 1
fi
exit 0
