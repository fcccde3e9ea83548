#!/bin/sh
# Creates the dynamic-security file with the admin user the Keyway servers log in as:
#   deploy/mosquitto/init-dynsec.sh /var/lib/mosquitto/dynamic-security.json keyway-admin 'long-secret'
# then give every Keyway node KEYWAY_MQTT_URL=mqtt://keyway-admin:long-secret@broker:1883.
# At start Keyway gives that user the role `keyway-server` (publish/subscribe keyway/v1/units/#
# and _nodes/#, where the nodes announce themselves; no unit role grants _nodes/#)
# and reconciles the units; `mosquitto_ctrl dynsec init` alone grants it no normal topic.
set -eu
if [ "$#" -ne 3 ]; then
  echo "usage: $0 <dynamic-security.json> <admin-user> <admin-password>" >&2
  exit 2
fi
file=$1
command -v mosquitto_ctrl >/dev/null || {
  echo "mosquitto_ctrl is missing: apt-get install mosquitto (Debian ships it there)" >&2
  exit 1
}
# Refuses to overwrite an existing file: the units' accounts are in it.
mosquitto_ctrl dynsec init "$file" "$2" "$3"
# Debian's broker runs as user mosquitto and must read and rewrite the file.
if [ "$(id -u)" = 0 ] && id mosquitto >/dev/null 2>&1; then chown mosquitto: "$file"; fi
chmod 600 "$file"
