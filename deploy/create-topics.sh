#!/usr/bin/env bash
# One-shot: create jikenbo's topics with their partitions, retention and cleanup policies.
set -euo pipefail
: "${BOOTSTRAP:=kafka:9092}" "${TOPIC_PREFIX:=jikenbo}" "${PARTITIONS:=6}"
topics=/opt/kafka/bin/kafka-topics.sh

create() {  # name partitions config...
  local name=$1 partitions=$2; shift 2
  local args=()
  for c in "$@"; do args+=(--config "$c"); done
  "$topics" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$name" \
    --partitions "$partitions" --replication-factor 1 "${args[@]}"
}

# Raw posts: history to replay; keep it (compaction keeps the latest version of each post).
create "$TOPIC_PREFIX.posts.raw" "$PARTITIONS" cleanup.policy=compact max.message.bytes=16777216
# Dead letters: kept 30 days for inspection and replay.
create "$TOPIC_PREFIX.posts.dlq" 1 retention.ms=2592000000 max.message.bytes=16777216
# Incidents: the latest version of each incident is what matters.
create "$TOPIC_PREFIX.incidents" "$PARTITIONS" cleanup.policy=compact
# Alerts: an event log for subscribers; 90 days.
create "$TOPIC_PREFIX.alerts" "$PARTITIONS" retention.ms=7776000000
echo "topics ready"
