/*
 * Runs a guest (the kv guest, built natively with the SDK and its TCP/IP
 * stack) on a TAP device: frames the kernel sends to the TAP become
 * sp_on_frame events, the guest's nic_send frames are written back at once
 * (no Output Rule here). A fast loop for testing the stack against real
 * Linux clients; see nic-smoke.sh.
 *
 *   nic-harness TAP ADDRESS/PREFIX PORT [DISK_FILE]
 *
 * The MAC is 02:73:70:00:00:01. SIGUSR1 delivers sp_on_nic_up again, as a backup
 * going live does. SIGINT/SIGTERM print the stack's counters and exit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "native_host.h"

#define GUEST_MAC 0x027370000001ULL
#define DISK_BYTES (2ULL << 30)
#define FRAMES_PER_WAKEUP 256

static int tap_fd = -1;
static volatile sig_atomic_t stop, go_live;

static int32_t tap_write(const void *frame, uint32_t len) {
    if (write(tap_fd, frame, len) != (ssize_t)len) {
        perror("nic-harness: TAP write"); /* e.g. the link is down: the stack's retransmits recover */
        return SP_EINVAL;
    }
    return SP_OK;
}

static int tap_open(const char *name) {
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
    if (fd < 0) {
        perror("nic-harness: /dev/net/tun");
        exit(2);
    }
    struct ifreq ifr = {0};
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        fprintf(stderr, "nic-harness: TUNSETIFF %s: %s\n", name, strerror(errno));
        exit(2);
    }
    return fd;
}

static void on_signal(int sig) { stop = sig; }
static void on_go_live(int sig) { go_live = sig; }

int main(int argc, char **argv) {
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: nic-harness TAP ADDRESS/PREFIX PORT [DISK_FILE]\n");
        return 2;
    }
    char addr[64];
    snprintf(addr, sizeof addr, "%s", argv[2]);
    char *slash = strchr(addr, '/');
    unsigned prefix = 24;
    if (slash) {
        *slash = 0;
        prefix = (unsigned)atoi(slash + 1);
    }
    struct in_addr ip;
    int port = atoi(argv[3]);
    if (inet_pton(AF_INET, addr, &ip) != 1 || port <= 0 || port > 65535 || prefix > 32) {
        fprintf(stderr, "nic-harness: bad address %s or port %s\n", argv[2], argv[3]);
        return 2;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGUSR1, on_go_live);
    tap_fd = tap_open(argv[1]);
    native_nic_out = tap_write;
    native_disk_open(argc == 5 ? argv[4] : NULL, DISK_BYTES);

    sp_export_on_init();
    sp_export_on_nic_up(GUEST_MAC, ntohl(ip.s_addr), prefix, (uint32_t)port);
    fprintf(stderr, "nic-harness: serving %s port %d on %s\n", argv[2], port, argv[1]);

    uint8_t *rx = sp_export_rx_buffer();
    uint32_t cap = sp_export_rx_capacity();
    while (!stop) {
        int64_t next = native_next_deadline();
        int timeout = -1;
        if (next) {
            int64_t wait = next - native_realtime_ns();
            timeout = wait <= 0 ? 0 : (int)((wait + 999999) / 1000000);
        }
        struct pollfd pfd = {.fd = tap_fd, .events = POLLIN};
        if (poll(&pfd, 1, timeout) < 0 && errno != EINTR) {
            perror("nic-harness: poll");
            return 2;
        }
        for (int i = 0; i < FRAMES_PER_WAKEUP; i++) {
            ssize_t n = read(tap_fd, rx, cap);
            if (n <= 0) break;
            sp_export_on_frame((uint32_t)n);
        }
        native_fire_due_timers(native_realtime_ns());
        if (go_live) {
            go_live = 0;
            sp_export_on_nic_up(GUEST_MAC, ntohl(ip.s_addr), prefix, (uint32_t)port);
        }
    }
    native_print_stats();
    return 0;
}
