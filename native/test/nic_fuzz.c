/*
 * Feeds the stack (with the kv guest, built natively under ASan and UBSan)
 * random and mutated frames: truncated headers, bad checksums, impossible
 * flags and options, sequence numbers anywhere, SYN floods. Meanwhile one
 * well-behaved client on its own address keeps a connection open and checks
 * that every PING gets its PONG. The clock advances with the frames, so
 * timers fire; at the end the noise's peers reset their connections, the
 * clock jumps ahead until every other one has expired, and all buffer memory
 * must be back.
 *
 *   nic-fuzz [ITERATIONS [SEED]]
 *
 * Every frame the stack sends must carry valid IPv4 and TCP/ICMP checksums.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "native_host.h"

#define OUR_MAC 0x027370000001ULL
#define OUR_IP 0x0a4d000au /* 10.77.0.10 */
#define PORT 6379
#define CLIENT_IP 0x0a4d0002u
#define CLIENT_PORT 40000

static uint64_t rng_state;
static int64_t fake_now = 1700000000LL * 1000000000;
static uint8_t frame[65536];
static uint64_t frames_out;

/* The client's view of its connection, learned from the stack's frames. */
static struct {
    int state; /* 0 closed, 1 SYN sent, 2 established, 3 gone (sent FIN, hears nothing more) */
    uint32_t snd_nxt, rcv_nxt;
    uint64_t pings, pongs;
    char reply[64];
    size_t reply_len;
} client;

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

static void client_sees(const uint8_t *tcp, uint32_t len);

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
        if (dst == CLIENT_IP && rd16b(t + 2) == CLIENT_PORT) client_sees(t, total - ihl);
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

static void client_sees(const uint8_t *t, uint32_t len) {
    uint8_t flags = t[13];
    if (client.state == 3) return;
    uint32_t doff = (t[12] >> 4) * 4u, seq = rd32b(t + 4);
    if (flags & 0x04) fail("the client's connection was reset");
    if (client.state == 1 && (flags & 0x12) == 0x12) {
        client.rcv_nxt = seq + 1;
        client.state = 2;
        return;
    }
    if (client.state != 2 || len <= doff || seq != client.rcv_nxt) return;
    uint32_t n = len - doff;
    if (client.reply_len + n > sizeof client.reply) fail("the client got more than it asked for");
    memcpy(client.reply + client.reply_len, t + doff, n);
    client.reply_len += n;
    client.rcv_nxt += n;
    if (client.reply_len >= 7) {
        if (memcmp(client.reply, "+PONG\r\n", 7) != 0) fail("the client's PING got another reply");
        client.pongs++;
        memmove(client.reply, client.reply + 7, client.reply_len - 7);
        client.reply_len -= 7;
    }
}

static void client_step(void) {
    static const uint8_t mss[4] = {2, 4, 5, 0xb4};
    if (client.state == 0) {
        client.snd_nxt = (uint32_t)rnd();
        client.state = 1;
        deliver(tcp_frame(CLIENT_IP, CLIENT_PORT, client.snd_nxt++, 0, 0x02, 65535, mss, 4, 0));
    } else if (client.state == 2) {
        if (client.pings > client.pongs) fail("a PING went unanswered");
        memcpy(frame + 54, "PING\r\n", 6);
        deliver(tcp_frame(CLIENT_IP, CLIENT_PORT, client.snd_nxt, client.rcv_nxt, 0x18, 65535, NULL, 0, 6));
        client.snd_nxt += 6;
        client.pings++;
    }
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

int main(int argc, char **argv) {
    uint64_t iterations = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) : 0x5eed;
    if (rng_state == 0) rng_state = 1;
    native_nic_out = capture;
    native_clock = clock_now;
    native_disk_open(NULL, 64u << 20);
    sp_export_on_init();
    sp_export_on_nic_up(OUR_MAC, OUR_IP, 24, PORT);
    for (uint64_t i = 0; i < iterations; i++) {
        noise();
        if (i % 1000 == 0) client_step();
        advance((int64_t)(rnd() % 200000)); /* up to 0.2 ms per frame */
    }
    uint64_t *stats = sp_export_net_stats();
    if (client.pongs + 1 < client.pings || client.pongs == 0) fail("the client's PINGs were not answered");
    fprintf(stderr, "nic-fuzz: %llu frames in, %llu out; the client got %llu/%llu PONGs; %llu connections open\n",
            (unsigned long long)stats[SP_NET_FRAMES_IN], (unsigned long long)frames_out,
            (unsigned long long)client.pongs, (unsigned long long)client.pings,
            (unsigned long long)stats[SP_NET_CONNS_OPEN]);
    deliver(tcp_frame(CLIENT_IP, CLIENT_PORT, client.snd_nxt, client.rcv_nxt, 0x11, 65535, NULL, 0, 0));
    client.state = 3;
    advance(1000000000LL); /* delayed ACKs out: the peers know the exact sequence numbers */
    for (int p = 0; p < NOISE_PEERS; p++) /* idle connections live on (no keepalive): reset them */
        deliver(tcp_frame(0x0a4d0014u + (uint32_t)p / 8, (uint16_t)(50000 + p % 8), peers[p].expects, 0, 0x04,
                          0, NULL, 0, 0));
    for (int i = 0; i < 3600; i++) advance(1000000000LL); /* an hour: everything the noise opened expires */
    if (stats[SP_NET_CONNS_OPEN] != 0 || stats[SP_NET_BUFFER_BYTES] != 0)
        fail("connections or buffer memory left after every timer expired");
    native_print_stats();
    fprintf(stderr, "nic-fuzz: PASS\n");
    return 0;
}
