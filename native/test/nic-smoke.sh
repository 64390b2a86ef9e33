#!/usr/bin/env bash
# Drives the native nic harness (make -C native nic-harness) with real Linux
# clients: redis-cli, redis-benchmark, a 10 MB value written and read back,
# then the same with 1% and 5% random loss. Needs root and redis-tools.
#
# Namespaces (removed on exit; NIC_SMOKE_PREFIX, default spn-stk, names them
# and their links, so that runs side by side do not collide): spn-stk-cli
# holds the clients; spn-stk-srv routes between them and the harness's TAP,
# and drops packets there (iptables statistic in FORWARD, both directions): a
# drop in the client's own OUTPUT chain is reported to its TCP stack, which is
# not what a lossy wire does.
#
#   sudo [NIC_SMOKE_PREFIX=spn-xyz] native/test/nic-smoke.sh [-n REQUESTS]
set -euo pipefail

P=${NIC_SMOKE_PREFIX:-spn-stk}
(( ${#P} <= 11 )) || { echo "nic-smoke: NIC_SMOKE_PREFIX '$P' is longer than 11 characters (interface names)" >&2; exit 2; }
SRV=$P-srv
CLI=$P-cli
ADDR=10.77.1.10
PORT=6379
REQUESTS=100000
BIG_BYTES=10000000
[[ ${1:-} == -n ]] && REQUESTS=$2
HARNESS=${HARNESS:-$(cd "$(dirname "$0")/.." && pwd)/target/nic-harness}

[[ $EUID -eq 0 ]] || { echo "nic-smoke: needs root (network namespaces, TAP)" >&2; exit 2; }
[[ -x $HARNESS ]] || { echo "nic-smoke: $HARNESS missing: run 'make -C native nic-harness'" >&2; exit 2; }
command -v redis-cli >/dev/null && command -v redis-benchmark >/dev/null \
    || { echo "nic-smoke: redis-cli and redis-benchmark missing: apt-get install -y redis-tools" >&2; exit 2; }

work=$(mktemp -d)
harness_pid=
cleanup() {
    [[ -n $harness_pid ]] && kill "$harness_pid" 2>/dev/null && wait "$harness_pid" 2>/dev/null
    ip netns del $SRV 2>/dev/null || true
    ip netns del $CLI 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

ip netns add $SRV
ip netns add $CLI
ip link add $P-vs netns $SRV type veth peer name $P-vc netns $CLI
ip -n $SRV tuntap add dev $P-tap mode tap
ip -n $SRV addr add 10.77.0.1/24 dev $P-vs
ip -n $SRV addr add 10.77.1.1/24 dev $P-tap
for l in lo $P-vs $P-tap; do ip -n $SRV link set $l up; done
ip netns exec $SRV sysctl -qw net.ipv4.ip_forward=1
ip -n $CLI addr add 10.77.0.2/24 dev $P-vc
ip -n $CLI link set lo up
ip -n $CLI link set $P-vc up
ip -n $CLI route add 10.77.1.0/24 via 10.77.0.1

ip netns exec $SRV "$HARNESS" $P-tap $ADDR/24 $PORT "$work/disk" 2>"$work/harness.log" &
harness_pid=$!

cli() { ip netns exec $CLI "$@"; }
fail() { echo "nic-smoke: FAIL: $*" >&2; echo "--- harness log:" >&2; tail -20 "$work/harness.log" >&2; exit 1; }

for _ in $(seq 50); do
    [[ $(cli redis-cli -h $ADDR -p $PORT PING 2>/dev/null) == PONG ]] && break
    sleep 0.1
done
[[ $(cli redis-cli -h $ADDR -p $PORT PING) == PONG ]] || fail "no PONG"
if command -v ping >/dev/null; then
    cli ping -c 3 -i 0.2 -q $ADDR >/dev/null || fail "no ICMP echo replies"
else
    echo "nic-smoke: ping missing (iputils-ping): ICMP echo not checked"
fi
[[ $(cli redis-cli -h $ADDR -p $PORT SET greeting hello) == OK ]] || fail "SET"
[[ $(cli redis-cli -h $ADDR -p $PORT GET greeting) == hello ]] || fail "GET"
echo "nic-smoke: PING, ICMP echo, SET, GET: ok"

head -c $BIG_BYTES /dev/urandom >"$work/big"
want=$(sha256sum <"$work/big" | cut -d' ' -f1)

big_value() { # label
    local t0 t1
    t0=$(date +%s.%N)
    [[ $(cli redis-cli -h $ADDR -p $PORT -x SET big <"$work/big") == OK ]] || fail "$1: SET of $BIG_BYTES bytes"
    t1=$(date +%s.%N)
    cli redis-cli -h $ADDR -p $PORT GET big >"$work/got" || fail "$1: GET of $BIG_BYTES bytes"
    local t2 got
    t2=$(date +%s.%N)
    got=$(head -c $BIG_BYTES "$work/got" | sha256sum | cut -d' ' -f1)
    [[ $got == "$want" ]] || fail "$1: the value read back differs"
    echo "nic-smoke: $1: 10 MB SET $(echo "$t1 - $t0" | bc) s, GET $(echo "$t2 - $t1" | bc) s, checksum ok"
}

bench() { # label requests [extra args]
    local label=$1 n=$2
    shift 2
    local out
    out=$(cli redis-benchmark -h $ADDR -p $PORT -c 50 -n "$n" -t set,get -q "$@" 2>&1 | tr '\r' '\n' | grep 'requests per second' | sed 's/ *$//')
    [[ $(wc -l <<<"$out") -eq 2 ]] || fail "$label: redis-benchmark: $out"
    echo "nic-smoke: $label:" $out
}

bench "-c 50" $REQUESTS
bench "-c 50 -P 32" $REQUESTS -P 32
big_value "no loss"

# Going live again (sp_on_nic_up) while a 10 MB reply is in flight: the transfer carries on.
cli redis-cli -h $ADDR -p $PORT GET big >"$work/got" &
reader=$!
for _ in 1 2 3; do sleep 0.05; kill -USR1 "$harness_pid"; done
wait "$reader" || fail "GET while going live"
[[ $(head -c $BIG_BYTES "$work/got" | sha256sum | cut -d' ' -f1) == "$want" ]] || fail "GET while going live: the value differs"
echo "nic-smoke: going live three times during a 10 MB GET: checksum ok"

for loss in 0.01 0.05; do
    ip netns exec $SRV iptables -A FORWARD -m statistic --mode random --probability $loss -j DROP
    bench "loss $loss, -c 50" $((REQUESTS / 5))
    bench "loss $loss, -c 50 -P 32" $((REQUESTS / 5)) -P 32
    big_value "loss $loss"
    ip netns exec $SRV iptables -F FORWARD
done

kill -INT "$harness_pid"
wait "$harness_pid" || true
harness_pid=
echo "nic-smoke: counters: $(tail -1 "$work/harness.log")"
echo "nic-smoke: PASS"
