#!/usr/bin/env bash
# One-shot: create jikenbo's topics with their partitions, retention and cleanup policies.
# Existing topics are left alone (partitions can be added later with kafka-topics.sh --alter).
#
# Why these policies:
# - posts.raw and incidents are keyed by post id / incident id, and a newer
#   message with the same key is a new version of the same thing. Compaction
#   keeps the latest version of each key forever, so a replay (a new
#   consumer group, a rebuilt alerter) sees every post and incident once, in
#   its latest form, without keeping every intermediate edit.
# - alerts are keyed by subscription: compaction would keep one alert per
#   subscription, so they are an event log with time-based retention.
# - dead letters are for inspection and replay by hand: time-based.
set -euo pipefail
: "${BOOTSTRAP:=kafka:9092}" "${TOPIC_PREFIX:=jikenbo}" "${PARTITIONS:=6}" "${REPLICATION:=1}"
topics=/opt/kafka/bin/kafka-topics.sh
# With three brokers (REPLICATION=3) a write needs two in-sync copies.
min_isr=$(( REPLICATION > 1 ? 2 : 1 ))

create() {  # name partitions config...
  local name=$1 partitions=$2; shift 2
  local args=(--config "min.insync.replicas=$min_isr")
  for c in "$@"; do args+=(--config "$c"); done
  "$topics" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$name" \
    --partitions "$partitions" --replication-factor "$REPLICATION" "${args[@]}"
}

# Raw posts: history to replay; compaction keeps the latest version of each post.
create "$TOPIC_PREFIX.posts.raw" "$PARTITIONS" cleanup.policy=compact max.message.bytes=16777216
# Dead letters: kept 30 days for inspection and replay; one partition, order of failure.
create "$TOPIC_PREFIX.posts.dlq" 1 retention.ms=2592000000 max.message.bytes=16777216
# Incidents: the latest version of each incident is what matters.
create "$TOPIC_PREFIX.incidents" "$PARTITIONS" cleanup.policy=compact max.message.bytes=16777216
# Alerts: an event log for subscribers; 90 days. (Per-subscription topics
# <prefix>.alerts.<name> are created by the alerter on first use, with the broker's defaults.)
create "$TOPIC_PREFIX.alerts" "$PARTITIONS" retention.ms=7776000000
echo "topics ready"
