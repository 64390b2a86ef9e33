/*
 * Feeds the stack (with the kv guest, built natively under ASan and UBSan)
 * random and mutated frames: truncated headers, bad checksums, impossible
 * flags and options, sequence numbers anywhere, SYN floods. Meanwhile one
 * well-behaved client on its own address keeps a connection open and checks
 * that every PING gets its PONG. The clock advances with the frames, so
 * timers fire; at the end the clock jumps ahead an hour, in which every
 * connection must expire (idle ones by keepalive), and all buffer memory
 * must be back. Before the noise, a keepalive check on a clock that moves
 * by whole seconds: a silent client is probed and reset on time, one that
 * answers the probes keeps its connection; and after an idle RTO a reply
 * starts again from the initial window.
 *
 *   nic-fuzz [ITERATIONS [SEED]]
 *
 * Every frame the stack sends must carry valid IPv4 and TCP/ICMP checksums.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "native_host.h"
#include "net/net.h" /* the keepalive settings */

#define OUR_MAC 0x027370000001ULL
#define OUR_IP 0x0a4d000au /* 10.77.0.10 */
#define PORT 6379
#define CLIENT_IP 0x0a4d0002u
#define CLIENT_PORT 40000
#define SECOND 1000000000LL

static uint64_t rng_state;
static int64_t fake_now = 1700000000LL * 1000000000;
static uint8_t frame[65536];
static uint64_t frames_out;

/* A client's view of its connection, learned from the stack's frames. */
struct client {
    uint16_t port;
    bool answers_probes; /* owes an ACK for each keepalive probe */
    bool may_be_reset;
    bool bulk; /* takes any reply bytes and counts the segments, instead of expecting PONGs */
    int state; /* 0 closed, 1 SYN sent, 2 established, 3 gone (hears nothing more), 4 reset */
    bool owes_ack;
    uint32_t snd_nxt, rcv_nxt;
    uint64_t pings, pongs, probes, segments;
    int64_t first_probe_at, reset_at;
    char reply[64];
    size_t reply_len;
};
static struct client pinger = {.port = CLIENT_PORT};
static struct client answering = {.port = CLIENT_PORT + 1, .answers_probes = true};
static struct client silent = {.port = CLIENT_PORT + 2, .may_be_reset = true};
static struct client bulk = {.port = CLIENT_PORT + 3, .bulk = true};
static struct client *const clients[] = {&pinger, &answering, &silent, &bulk};

/* What the stack last told each noise peer (10.77.0.20-27, ports 50000-50007), so that
 * noise can also be in the window and acknowledge real data. */
#define NOISE_PEERS 64
static struct {
    uint32_t expects; /* the stack's ACK: the sequence number it wants next */
    uint32_t sent;    /* the stack's next sequence number: what to acknowledge */
} peers[NOISE_PEERS];

static int noise_peer(uint32_t ip, uint16_t port) {
    uint32_t host = ip - 0x0a4d0014u, p = port - 50000u;
    return host < 8 && p < 8 ? (int)(host * 8 + p) : -1;
}

static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint16_t rd16b(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32b(const uint8_t *p) { return (uint32_t)rd16b(p) << 16 | rd16b(p + 2); }
static void wr16b(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static void wr32b(uint8_t *p, uint32_t v) { wr16b(p, v >> 16), wr16b(p + 2, v); }

static uint16_t checksum(uint32_t sum, const uint8_t *p, size_t len) {
    for (size_t i = 0; i + 1 < len; i += 2) sum += rd16b(p + i);
    if (len & 1) sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint32_t pseudo(uint32_t src, uint32_t dst, uint32_t len) {
    return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 + len;
}

static void fail(const char *what) {
    fprintf(stderr, "nic-fuzz: FAIL: %s\n", what);
    exit(1);
}

static void client_sees(struct client *cl, const uint8_t *tcp, uint32_t len);

static int32_t capture(const void *data, uint32_t len) {
    const uint8_t *f = data;
    frames_out++;
    if (len < 14) fail("a frame shorter than an Ethernet header");
    if (rd16b(f + 12) != 0x0800) return SP_OK;
    const uint8_t *ip = f + 14;
    uint32_t ihl = (ip[0] & 15u) * 4, total = rd16b(ip + 2);
    if (len < 34 || ihl != 20 || total != len - 14) fail("an IPv4 frame whose lengths disagree");
    if (checksum(0, ip, ihl) != 0) fail("an IPv4 header checksum");
    uint32_t src = rd32b(ip + 12), dst = rd32b(ip + 16);
    if (ip[9] == 6) {
        if (checksum(pseudo(src, dst, total - ihl), ip + ihl, total - ihl) != 0) fail("a TCP checksum");
        const uint8_t *t = ip + ihl;
        for (size_t i = 0; i < sizeof clients / sizeof *clients; i++)
            if (dst == CLIENT_IP && rd16b(t + 2) == clients[i]->port) client_sees(clients[i], t, total - ihl);
        int peer = noise_peer(dst, rd16b(t + 2));
        if (peer >= 0 && (t[13] & 0x10)) { /* a RST without ACK says nothing about the connection */
            uint32_t seglen = total - ihl - (t[12] >> 4) * 4u + !!(t[13] & 0x02) + !!(t[13] & 0x01);
            peers[peer].sent = rd32b(t + 4) + seglen;
            peers[peer].expects = rd32b(t + 8);
        }
    } else if (ip[9] == 1 && checksum(0, ip + ihl, total - ihl) != 0) {
        fail("an ICMP checksum");
    }
    return SP_OK;
}

static int64_t clock_now(void) { return fake_now; }

/* Builds Ethernet + IPv4 + TCP around a payload already at frame + 54 + optlen. */
static uint32_t tcp_frame(uint32_t src, uint16_t sport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                          const uint8_t *opts, uint32_t optlen, uint32_t paylen) {
    static const uint8_t our[6] = {0x02, 0x73, 0x70, 0, 0, 1}, peer[6] = {0x02, 0, 0, 0, 0, 2};
    memcpy(frame, our, 6);
    memcpy(frame + 6, peer, 6);
    wr16b(frame + 12, 0x0800);
    uint8_t *ip = frame + 14, *t = ip + 20;
    uint32_t tlen = 20 + optlen + paylen;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    wr16b(ip + 2, 20 + tlen);
    ip[8] = 64;
    ip[9] = 6;
    wr32b(ip + 12, src);
    wr32b(ip + 16, OUR_IP);
    wr16b(ip + 10, checksum(0, ip, 20));
    wr16b(t, sport);
    wr16b(t + 2, PORT);
    wr32b(t + 4, seq);
    wr32b(t + 8, ack);
    t[12] = (uint8_t)((20 + optlen) / 4 << 4);
    t[13] = flags;
    wr16b(t + 14, wnd);
    wr32b(t + 16, 0);
    if (optlen) memcpy(t + 20, opts, optlen);
    wr16b(t + 16, checksum(pseudo(src, OUR_IP, tlen), t, tlen));
    return 14 + 20 + tlen;
}

static void deliver(uint32_t len) {
    memcpy(sp_export_rx_buffer(), frame, len);
    sp_export_on_frame(len);
}

static void client_sees(struct client *cl, const uint8_t *t, uint32_t len) {
    uint8_t flags = t[13];
    if (cl->state >= 3) return;
    uint32_t doff = (t[12] >> 4) * 4u, seq = rd32b(t + 4);
    if (flags & 0x04) {
        if (!cl->may_be_reset) fail("the client's connection was reset");
        cl->state = 4;
        cl->reset_at = fake_now;
        return;
    }
    if (cl->state == 1 && (flags & 0x12) == 0x12) {
        cl->rcv_nxt = seq + 1;
        cl->state = 2;
        return;
    }
    if (cl->state == 2 && len == doff && seq == cl->rcv_nxt - 1) { /* a keepalive probe */
        if (rd32b(t + 8) != cl->snd_nxt) fail("a keepalive probe acknowledges what the client never sent");
        if (cl->probes++ == 0) cl->first_probe_at = fake_now;
        cl->owes_ack = cl->answers_probes;
        return;
    }
    if (cl->state != 2 || len <= doff || seq != cl->rcv_nxt) return;
    uint32_t n = len - doff;
    cl->rcv_nxt += n;
    if (cl->bulk) {
        cl->segments++;
        return;
    }
    if (cl->reply_len + n > sizeof cl->reply) fail("the client got more than it asked for");
    memcpy(cl->reply + cl->reply_len, t + doff, n);
    cl->reply_len += n;
    if (cl->reply_len >= 7) {
        if (memcmp(cl->reply, "+PONG\r\n", 7) != 0) fail("the client's PING got another reply");
        cl->pongs++;
        memmove(cl->reply, cl->reply + 7, cl->reply_len - 7);
        cl->reply_len -= 7;
    }
}

/* Connects (SYN), then sends a PING per call; the first completes the handshake. */
static void client_step(struct client *cl) {
    static const uint8_t mss[4] = {2, 4, 5, 0xb4};
    if (cl->state == 0) {
        cl->snd_nxt = (uint32_t)rnd();
        cl->state = 1;
        deliver(tcp_frame(CLIENT_IP, cl->port, cl->snd_nxt++, 0, 0x02, 65535, mss, 4, 0));
    } else if (cl->state == 2) {
        if (cl->pings > cl->pongs) fail("a PING went unanswered");
        memcpy(frame + 54, "PING\r\n", 6);
        deliver(tcp_frame(CLIENT_IP, cl->port, cl->snd_nxt, cl->rcv_nxt, 0x18, 65535, NULL, 0, 6));
        cl->snd_nxt += 6;
        cl->pings++;
    }
}

/* A pure segment (ACK, FIN or RST) from the client at its next sequence number. */
static void client_send(struct client *cl, uint8_t flags) {
    deliver(tcp_frame(CLIENT_IP, cl->port, cl->snd_nxt, cl->rcv_nxt, flags, 65535, NULL, 0, 0));
}

/* One frame of noise, from addresses other than the client's. */
static void noise(void) {
    uint32_t src = 0x0a4d0014u + (uint32_t)(rnd() % 8);
    uint16_t sport = (uint16_t)(rnd() % 8 + 50000);
    int peer = noise_peer(src, sport);
    uint8_t opts[40];
    uint32_t optlen = (uint32_t)(rnd() % 11) * 4;
    for (uint32_t i = 0; i < optlen; i++) opts[i] = (uint8_t)(rnd() % 5 == 0 ? rnd() : rnd() % 9);
    uint32_t paylen = (uint32_t)(rnd() % 4 == 0 ? rnd() % 1500 : rnd() % 16);
    for (uint32_t i = 0; i < paylen; i++) frame[54 + optlen + i] = (uint8_t)rnd();
    uint32_t len;
    switch (rnd() % 8) {
    case 0: /* anything at all */
        len = (uint32_t)(rnd() % 8 == 0 ? rnd() % 65536 + 1 : rnd() % 200 + 1);
        for (uint32_t i = 0; i < len; i++) frame[i] = (uint8_t)rnd();
        if (rnd() & 1) memcpy(frame, (uint8_t[]){0x02, 0x73, 0x70, 0, 0, 1}, len < 6 ? len : 6);
        deliver(len);
        return;
    case 1: /* SYN flood */
        src = 0x0a4d0000u | (uint32_t)(rnd() % 200 + 30);
        deliver(tcp_frame(src, (uint16_t)rnd(), (uint32_t)rnd(), 0, 0x02, (uint16_t)rnd(), opts, optlen, 0));
        return;
    case 2:
    case 3:
    case 4: { /* in or near the window, mostly with ACK: handshakes complete, data and FINs arrive */
        uint32_t seq = peers[peer].expects, ack = peers[peer].sent;
        if (rnd() % 4 == 0) seq += (uint32_t)(rnd() % 4000) - 1000;
        if (rnd() % 4 == 0) ack += (uint32_t)(rnd() % 4000) - 1000;
        uint8_t flags = (uint8_t)(rnd() % 4 == 0 ? rnd() : 0x10 | (rnd() % 16 == 0 ? 0x01 : 0) |
                                                         (rnd() % 64 == 0 ? 0x04 : 0) | (rnd() % 32 == 0 ? 0x02 : 0));
        if (rnd() % 8 == 0) memcpy(frame + 54 + optlen, "PING\r\n", paylen < 6 ? paylen : 6);
        len = tcp_frame(src, sport, seq, ack, flags, (uint16_t)(rnd() % 8 == 0 ? 0 : rnd()), opts, optlen, paylen);
        deliver(len);
        return;
    }
    default: /* valid checksums, random fields, then maybe damaged */
        len = tcp_frame(src, sport, (uint32_t)rnd(), (uint32_t)rnd(), (uint8_t)rnd(), (uint16_t)rnd(), opts,
                        optlen, paylen);
        if (rnd() % 3 == 0) frame[rnd() % len] ^= (uint8_t)(1u << rnd() % 8);
        if (rnd() % 4 == 0) len = (uint32_t)(rnd() % len) + 1;
        deliver(len);
    }
}

static void advance(int64_t ns) {
    fake_now += ns;
    native_fire_due_timers(fake_now);
}

static void client_write(struct client *cl, const char *data, uint32_t len) {
    for (uint32_t off = 0, n; off < len; off += n) {
        n = len - off < 1460 ? len - off : 1460;
        memcpy(frame + 54, data + off, n);
        deliver(tcp_frame(CLIENT_IP, cl->port, cl->snd_nxt, cl->rcv_nxt, 0x18, 65535, NULL, 0, n));
        cl->snd_nxt += n;
    }
}

/* Acknowledges a segment's worth at a time (so slow start grows), until the stack sends no more. */
static void client_ack_all(struct client *cl) {
    for (uint32_t acked = cl->rcv_nxt - 1; acked != cl->rcv_nxt;) {
        acked = cl->rcv_nxt - acked > 1460 ? acked + 1460 : cl->rcv_nxt;
        deliver(tcp_frame(CLIENT_IP, cl->port, cl->snd_nxt, acked, 0x10, 65535, NULL, 0, 0));
    }
}

/* Segments of a GET's 20-segment reply that the stack sends before it hears an ACK. */
static uint64_t reply_burst(void) {
    uint64_t before = bulk.segments;
    client_write(&bulk, "GET big\r\n", 9);
    uint64_t burst = bulk.segments - before;
    client_ack_all(&bulk);
    return burst;
}

/* RFC 5681 4.1: a burst right after the last reply goes with the cwnd slow start grew; after
 * more than an RTO idle, from the initial window again. */
static void restart_check(void) {
    static char set[29200 + 64];
    int head = snprintf(set, sizeof set, "*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$29000\r\n");
    memset(set + head, 'v', 29000);
    memcpy(set + head + 29000, "\r\n", 2);
    client_step(&bulk);
    client_write(&bulk, set, (uint32_t)head + 29002); /* its first segment completes the handshake */
    client_ack_all(&bulk);
    uint64_t first = reply_burst(), warm = reply_burst();
    advance(2 * SECOND);
    uint64_t after_idle = reply_burst();
    if (first != NET_INITIAL_WINDOW || warm <= NET_INITIAL_WINDOW || after_idle != NET_INITIAL_WINDOW)
        fail("restart after idle: a reply's first burst is not the initial window");
    client_send(&bulk, 0x04);
    bulk.state = 3;
    fprintf(stderr, "nic-fuzz: bursts of %llu, %llu and after idle %llu segments\n", (unsigned long long)first,
            (unsigned long long)warm, (unsigned long long)after_idle);
}

/* Two clients exchange a PING and go quiet; one answers keepalive probes, the other never does.
 * The silent one is probed from the idle time on and reset one interval after its last probe;
 * the other keeps its connection. Whole seconds, so the deadlines are met exactly. */
static void keepalive_check(void) {
    const int64_t idle = SP_NET_KEEPALIVE_IDLE_SECONDS * SECOND, interval = SP_NET_KEEPALIVE_INTERVAL_SECONDS * SECOND;
    uint64_t *stats = sp_export_net_stats();
    for (int step = 0; step < 2; step++) { /* SYN, then a PING that completes the handshake */
        client_step(&answering);
        client_step(&silent);
    }
    if (answering.pongs != 1 || silent.pongs != 1) fail("keepalive: the clients' PINGs were not answered");
    client_send(&answering, 0x10); /* the PONGs acknowledged: nothing in flight */
    client_send(&silent, 0x10);
    int64_t quiet_since = fake_now;
    while (fake_now < quiet_since + idle + (SP_NET_KEEPALIVE_PROBES + 1) * interval) {
        advance(SECOND);
        if (answering.owes_ack) client_send(&answering, 0x10);
        answering.owes_ack = false;
    }
    if (silent.probes != SP_NET_KEEPALIVE_PROBES || silent.first_probe_at != quiet_since + idle)
        fail("keepalive: the silent client was not probed from the idle time on");
    if (silent.state != 4 || silent.reset_at != quiet_since + idle + SP_NET_KEEPALIVE_PROBES * interval)
        fail("keepalive: the silent client was not reset after its last probe's interval");
    if (answering.state != 2 || answering.probes < 2) fail("keepalive: the answering client lost its connection");
    if (stats[SP_NET_TCP_KEEPALIVE_PROBES] != silent.probes + answering.probes ||
        stats[SP_NET_TCP_KEEPALIVE_TIMEOUTS] != 1 || stats[SP_NET_CONNS_OPEN] != 1)
        fail("keepalive: the counters disagree with what the clients saw");
    client_step(&answering);
    if (answering.pongs != 2) fail("keepalive: the answering client's connection no longer serves");
    client_send(&answering, 0x04);
    answering.state = 3;
    fprintf(stderr, "nic-fuzz: keepalive: the silent client was reset after %llu probes, the other answered %llu\n",
            (unsigned long long)silent.probes, (unsigned long long)answering.probes);
}

int main(int argc, char **argv) {
    uint64_t iterations = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) : 0x5eed;
    if (rng_state == 0) rng_state = 1;
    native_nic_out = capture;
    native_clock = clock_now;
    native_disk_open(NULL, 64u << 20);
    sp_export_on_init();
    sp_export_on_nic_up(OUR_MAC, OUR_IP, 24, PORT);
    keepalive_check();
    restart_check();
    for (uint64_t i = 0; i < iterations; i++) {
        noise();
        if (i % 1000 == 0) client_step(&pinger);
        advance((int64_t)(rnd() % 200000)); /* up to 0.2 ms per frame */
    }
    uint64_t *stats = sp_export_net_stats();
    if (pinger.pongs + 1 < pinger.pings || pinger.pongs == 0) fail("the client's PINGs were not answered");
    fprintf(stderr, "nic-fuzz: %llu frames in, %llu out; the client got %llu/%llu PONGs; %llu connections open\n",
            (unsigned long long)stats[SP_NET_FRAMES_IN], (unsigned long long)frames_out,
            (unsigned long long)pinger.pongs, (unsigned long long)pinger.pings,
            (unsigned long long)stats[SP_NET_CONNS_OPEN]);
    client_send(&pinger, 0x11);
    pinger.state = 3;
    for (int i = 0; i < 3600; i++) advance(SECOND); /* an hour: idle connections end by keepalive */
    if (stats[SP_NET_CONNS_OPEN] != 0 || stats[SP_NET_BUFFER_BYTES] != 0)
        fail("connections or buffer memory left after every timer expired");
    native_print_stats();
    fprintf(stderr, "nic-fuzz: PASS\n");
    return 0;
}
