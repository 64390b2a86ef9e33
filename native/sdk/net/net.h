/*
 * The SDK's TCP/IP stack for nic mode: internals shared by sdk/net/.
 *
 *   eth.c         Ethernet input dispatch, frame output, ARP
 *   ipv4.c        IPv4 input and header output, ICMP echo
 *   checksum.c    the Internet checksum
 *   buffer.c      send buffers, the out-of-order queue, buffer memory
 *   tcp_conn.c    connections: lookup, ids, limits, the guest's calls
 *   tcp_input.c   the segment arrival state machine (RFC 9293 3.10.7)
 *   tcp_output.c  segments out: data within the windows, ACK policy, RST
 *   tcp_sack.c    selective acknowledgements, both directions
 *   tcp_timer.c   the one SDK host timer, RTO (RFC 6298), persist, keepalive, expiry
 *   net.c         entry points: frames, going live, counters
 *
 * A server only: connections are accepted on one port (nic.port). All state
 * is in guest memory (static or malloc). Every handler export ends with
 * net_event_end(), which sends what the event queued, so a reply made while
 * handling a segment carries that segment's ACK.
 */
#ifndef SP_NET_H
#define SP_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sitepair_host.h"

/* ---- Limits and timing (a guest may override them at compile time). ---- */
#ifndef SP_NET_MAX_CONNS
#define SP_NET_MAX_CONNS 1024 /* connections in any state, half-open included */
#endif
#ifndef SP_NET_MAX_HALF_OPEN
#define SP_NET_MAX_HALF_OPEN 256 /* beyond it a new SYN evicts the oldest half-open one */
#endif
#ifndef SP_NET_BUFFER_BUDGET
#define SP_NET_BUFFER_BUDGET (64u << 20) /* buffer bytes above which new SYNs are refused */
#endif
#ifndef SP_NET_SNDBUF_MAX
#define SP_NET_SNDBUF_MAX (64u << 20) /* one connection's unacknowledged + unsent bytes */
#endif
/* Keepalive, in the spirit of Redis's tcp-keepalive 300: a vanished client frees its slot. */
#ifndef SP_NET_KEEPALIVE_IDLE_SECONDS
#define SP_NET_KEEPALIVE_IDLE_SECONDS 300 /* silence from the peer before the first probe; 0: no keepalive */
#endif
#ifndef SP_NET_KEEPALIVE_INTERVAL_SECONDS
#define SP_NET_KEEPALIVE_INTERVAL_SECONDS 60 /* between unanswered probes */
#endif
#ifndef SP_NET_KEEPALIVE_PROBES
#define SP_NET_KEEPALIVE_PROBES 5 /* unanswered probes before the connection is reset */
#endif
#define NET_RCV_WINDOW (512u << 10) /* data is delivered at once: only reordering needs room */
#define NET_RCV_WSCALE 4           /* NET_RCV_WINDOW >> 4 fits the 16-bit field */
#define NET_OOO_MAX_SEGS 1024      /* out-of-order segments per connection: a window of 536-byte ones */
#define NET_MSS 1460               /* Ethernet MTU 1500 - IPv4 20 - TCP 20 */
#define NET_INITIAL_WINDOW 10      /* segments (RFC 6928); also the restart window after idle */
#define NET_SACK_BLOCKS 8          /* ranges the peer holds beyond snd_una, remembered */
#define NET_SACK_BLOCKS_SENT 4     /* blocks on our ACKs: 36 option bytes, without timestamps */
#define NET_MS 1000000LL           /* nanoseconds */
#define NET_RTO_INITIAL (1000 * NET_MS)
#define NET_RTO_MIN (200 * NET_MS)  /* as Linux: RFC 6298's 1 s minimum is too slow on a LAN */
#define NET_RTO_MAX (60000 * NET_MS)
#define NET_DELACK (40 * NET_MS)
#define NET_DELACK_MAX (200 * NET_MS) /* the longest a Linux receiver holds an ACK */
#define NET_TLP_MIN (10 * NET_MS)
#define NET_MSL (5000 * NET_MS)     /* TIME-WAIT lasts 2 MSL */
#define NET_FIN_WAIT_2_TIMEOUT (60000 * NET_MS)
#define NET_SYN_RETRIES 3           /* SYN-ACK retransmits before a half-open connection expires */
#define NET_MAX_RETRIES 12          /* retransmits of one segment before the connection is given up */
#define NET_BACKOFF_REVERTS 6       /* RFC 6069 prompts per connection on going live: undoes up to 12.8 s of back-off */

/* ---- Counters (order: enum sp_net_stat in sitepair.h). ---- */
extern uint64_t net_stats[SP_NET_STAT_COUNT];
#define NET_COUNT(name) (net_stats[SP_NET_##name]++)

/* ---- The NIC's identity (sp_on_nic_up). ---- */
struct nic {
    bool up;
    uint8_t mac[6];
    uint32_t ip;   /* host order */
    uint16_t port; /* the port connections are accepted on */
    uint16_t ip_id;
};
extern struct nic nic;

/* ---- Byte order and sequence numbers. ---- */
static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void wr32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_leq(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static inline uint32_t max_u32(uint32_t a, uint32_t b) { return a > b ? a : b; }

/* ---- checksum.c ---- */
/* Adds bytes to a ones'-complement sum; every call but the last needs an even len. */
uint32_t csum_add(uint32_t sum, const void *data, size_t len);
uint16_t csum_fold(uint32_t sum);

/* ---- eth.c ---- */
#define ETH_HLEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
/* The frame being built for output: headers + one segment (ICMP echoes reuse the rx buffer). */
extern uint8_t net_tx_frame[ETH_HLEN + 60 + 60 + NET_MSS];
void eth_input(uint8_t *frame, uint32_t len);
/* Writes the Ethernet header for our MAC; returns where the payload goes. */
uint8_t *eth_header(uint8_t *frame, const uint8_t dst[6], uint16_t type);
void eth_transmit(const uint8_t *frame, uint32_t len);
void arp_announce(void);

/* ---- ipv4.c ---- */
#define IP_HLEN 20
#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
void ipv4_input(uint8_t *frame, uint32_t len);
/* Writes a 20-byte IPv4 header from us to dst carrying payload_len bytes. */
void ipv4_header(uint8_t *ip, uint32_t dst, uint8_t proto, uint32_t payload_len);
void icmp_host_unreachable(const uint8_t dst_mac[6], uint32_t peer, uint16_t peer_port, uint16_t port,
                           uint32_t seq);
uint32_t ipv4_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint32_t len);

/* ---- buffer.c ---- */
struct sndbuf_chunk;
/* Bytes the guest sent, from the oldest unacknowledged one, at stream offsets [base, end). */
struct sndbuf {
    struct sndbuf_chunk *head, *tail, *cursor;
    uint64_t base, end;
};
int sndbuf_append(struct sndbuf *b, const uint8_t *data, uint32_t len); /* 0, or -1: no memory */
void sndbuf_copy(struct sndbuf *b, uint64_t off, uint8_t *dst, uint32_t len);
void sndbuf_release(struct sndbuf *b, uint64_t upto); /* acknowledged up to stream offset upto */
void sndbuf_free(struct sndbuf *b);

struct ooo_seg {
    struct ooo_seg *next;
    uint32_t seq, len;
    uint8_t data[];
};
/* Holds a segment beyond rcv_nxt (sorted by seq); false if it was dropped. */
bool ooo_insert(struct ooo_seg **queue, uint32_t *count, uint32_t seq, const uint8_t *data, uint32_t len);
void ooo_free(struct ooo_seg *seg);
void ooo_free_all(struct ooo_seg **queue, uint32_t *count);

/* ---- net.c (called by sitepair_sdk.c) ---- */
void net_frame(uint8_t *frame, uint32_t len);
void net_nic_up(uint64_t mac, uint32_t ipv4, uint32_t port);

/* ---- tcp_conn.c ---- */
enum tcp_state {
    TCP_CLOSED, TCP_SYN_RECEIVED, TCP_ESTABLISHED, TCP_CLOSE_WAIT, TCP_LAST_ACK,
    TCP_FIN_WAIT_1, TCP_FIN_WAIT_2, TCP_CLOSING, TCP_TIME_WAIT
};

struct tcp_conn {
    int32_t id;
    enum tcp_state state;
    bool guest_open;   /* the guest knows the id: opened, and neither side closed it for the guest */
    bool guest_closed; /* the guest called sp_close: data arriving now gets a RST */
    bool fin_queued;   /* send FIN after the buffered data */
    bool notify_closed; /* deliver sp_on_closed when the event ends (conn is on the graveyard) */
    bool dirty;        /* on the dirty list: tcp_output when the event ends */
    bool ack_now;      /* an ACK is owed now */
    bool ws_ok;        /* both sides sent window scale */
    bool in_recovery;  /* NewReno fast recovery until snd_una reaches recover */
    bool rtt_timing;   /* timing the segment that starts at rtt_seq (Karn: never a retransmit) */
    bool persist;      /* the retransmission deadline is a zero-window probe */
    bool fin_acked;    /* our FIN was acknowledged: nothing more to send but ACKs */
    bool tlp_armed;    /* the retransmission deadline is a tail loss probe's */
    bool sack_ok;      /* both sides sent SACK-permitted */
    uint8_t peer_mac[6];
    uint8_t snd_wscale;
    uint8_t backoff;
    uint8_t dupacks;
    uint8_t segs_unacked; /* full-sized segments received since our last ACK */
    uint8_t keepalive_probes; /* sent since the peer was last heard */
    uint16_t peer_port, local_port, mss;
    uint32_t peer_ip;
    /* send sequence space: snd_una <= snd_nxt <= snd_max */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
    uint32_t cwnd, ssthresh, recover, rtt_seq;
    uint32_t rexmit_hi;   /* in recovery: holes below it were resent already */
    uint32_t rexmit_mark; /* snd_max when snd_una's segment was last resent */
    uint8_t nsacked;
    struct { uint32_t start, end; } sacked[NET_SACK_BLOCKS]; /* sorted, disjoint, in (snd_una, snd_max] */
    /* receive sequence space */
    uint32_t irs, rcv_nxt, ooo_count;
    struct ooo_seg *ooo;
    struct sndbuf sb;
    /* RFC 6298 state, ns */
    int64_t srtt, rttvar, rto, rtt_start;
    int64_t data_sent_at; /* when a segment last carried data, 0 if none did */
    /* deadlines on the clock_now scale, 0 if none */
    int64_t rexmit_at, delack_at, expire_at, keepalive_at;
    struct tcp_conn *all_prev, *all_next, *next_by_tuple, *next_by_id, *next_dirty, *next_grave;
};

extern struct tcp_conn *tcp_all; /* every live connection, oldest first */
struct tcp_conn *conn_by_tuple(uint32_t peer_ip, uint16_t peer_port, uint16_t local_port);
/* A new half-open connection, or NULL when a limit refuses it. */
struct tcp_conn *conn_create(uint32_t peer_ip, uint16_t peer_port, uint16_t local_port, const uint8_t mac[6]);
/* Unlinks c for good; the guest hears sp_on_closed at the event's end if notify and it had c open. */
void conn_drop(struct tcp_conn *c, bool notify);
/* Queues c for tcp_output at the end of the event. */
void conn_mark_dirty(struct tcp_conn *c);
/* Stream offset of a sequence number in the send space (data starts after the SYN). */
static inline uint64_t conn_stream_off(const struct tcp_conn *c, uint32_t seq) {
    return c->sb.base + (uint32_t)(seq - c->snd_una);
}
static inline uint32_t conn_fin_seq(const struct tcp_conn *c) {
    return c->snd_una + (uint32_t)(c->sb.end - c->sb.base);
}
/* Marks the handshake done: the guest gets the id (caller delivers sp_on_open). */
void conn_established(struct tcp_conn *c);
/* Going live: prompt every connection so its client resumes within a round trip. */
void tcp_go_live(void);
/* Sends what the event queued and tells the guest of closed connections. */
void net_event_end(void);
int32_t net_send(int32_t id, const void *data, uint32_t len);
int32_t net_close(int32_t id);

/* ---- tcp_input.c ---- */
void tcp_input(const uint8_t *src_mac, uint32_t src_ip, uint32_t dst_ip, uint8_t *seg, uint32_t len);

/* ---- tcp_output.c ---- */
/* Sends what the windows allow, a FIN when due, or an owed ACK. */
void tcp_output(struct tcp_conn *c);
void tcp_send_syn_ack(struct tcp_conn *c);
void tcp_send_ack(struct tcp_conn *c);
/* Resends one segment at snd_una (fast retransmit, go-live). */
void tcp_retransmit_first(struct tcp_conn *c);
/* In SACK recovery: resends up to budget segments of the holes below the highest SACKed byte. */
void tcp_retransmit_holes(struct tcp_conn *c, uint32_t budget);
void tcp_send_rst(struct tcp_conn *c);
/* Resends the last segment sent, so the receiver answers with an ACK at once. */
void tcp_send_loss_probe(struct tcp_conn *c);
/* One byte beyond a zero window, so the peer's ACK tells when it opens. */
void tcp_send_probe(struct tcp_conn *c);
/* An old sequence number and no data, which a live peer answers with an ACK. */
void tcp_send_keepalive(struct tcp_conn *c);
/* Congestion avoidance on a new ACK outside recovery (RFC 5681). */
void tcp_cwnd_grow(struct tcp_conn *c, uint32_t acked);
/* RST answering a segment that has no connection (RFC 9293 3.10.7.1). */
void tcp_reset_reply(const uint8_t mac[6], uint32_t ip, uint16_t their_port, uint16_t our_port,
                     bool had_ack, uint32_t seg_ack, uint32_t seg_end);

/* ---- tcp_sack.c ---- */
/* Takes count blocks (8 bytes each) of a SACK option into the scoreboard. */
void sack_record(struct tcp_conn *c, const uint8_t *blocks, uint32_t count);
/* Forgets ranges at or below snd_una. */
void sack_advance(struct tcp_conn *c);
/* The first sequence number at or after seq the peer does not hold, and in *room how many
 * bytes from there are not SACKed (UINT32_MAX: up to the end). */
uint32_t sack_skip(const struct tcp_conn *c, uint32_t seq, uint32_t *room);
/* The end of the highest SACKed range (snd_una if none). */
uint32_t sack_highest(const struct tcp_conn *c);
/* Writes the SACK option describing the out-of-order queue; returns its length (0: none). */
uint32_t sack_option(const struct tcp_conn *c, uint8_t *opt);

/* ---- tcp_timer.c ---- */
#define NET_TIMER SP_SDK_TIMER_BIT
/* clock_now, read at most once per event (a logged input). */
int64_t net_now(void);
void net_clock_forget(void);
/* Sets *deadline and keeps the host timer armed at the earliest one. */
void timer_schedule(int64_t *deadline, int64_t at);
void tcp_timer_fired(void);
void tcp_rtt_sample(struct tcp_conn *c, int64_t rtt);
int64_t tcp_rto_now(const struct tcp_conn *c); /* rto with back-off applied */
void tcp_arm_rexmit(struct tcp_conn *c);
/* The peer was heard (an acceptable ACK): its idle time starts again. */
void tcp_keepalive_heard(struct tcp_conn *c);

#endif
