package io.sitepair.replicator.vm;

/**
 * The guest ABI, version 1: the Java side of {@code native/sdk/sitepair.h}.
 *
 * <p>The methods are the host calls a guest imports from module {@value #IMPORT_MODULE}, with
 * the same names, argument order and wasm types (pointers and lengths are i32, blocks and timer
 * ids i64). The constants name the handlers a guest exports. {@link HostImports} binds an
 * implementation to a Chicory instance; {@link VmHost} is the implementation.
 */
public interface GuestAbi {
    int VERSION = 1;
    String IMPORT_MODULE = "sitepair";
    int BLOCK_SIZE = 4096;

    // Results (mirrors SP_OK, SP_E*).
    int OK = 0;
    int E_NOCONN = -1;
    int E_NODISK = -2;
    int E_RANGE = -3;
    int E_NOTIMER = -4;
    int E_INVAL = -5;
    int E_NONIC = -6;

    // Exports.
    String EXPORT_ABI_VERSION = "sp_abi_version";
    String EXPORT_RX_BUFFER = "sp_rx_buffer";
    String EXPORT_RX_CAPACITY = "sp_rx_capacity";
    String EXPORT_INITIALIZE = "_initialize";
    String ON_INIT = "sp_on_init";
    String ON_OPEN = "sp_on_open";
    String ON_DATA = "sp_on_data";
    String ON_CLOSED = "sp_on_closed";
    String ON_TIMER = "sp_on_timer";
    /** Network mode nic only: one Ethernet frame is in the receive buffer. */
    String ON_FRAME = "sp_on_frame";
    /** Network mode nic only: (mac, ipv4, prefix length, port); the link came up where the VM serves. */
    String ON_NIC_UP = "sp_on_nic_up";

    /** Network mode nic: the address of the stack's uint64 counters, and how many there are. */
    String EXPORT_NET_STATS = "sp_net_stats";
    String EXPORT_NET_STATS_COUNT = "sp_net_stats_count";

    /** The connection id a NIC frame goes out on: outputs and their log entries name the NIC as connection 0. */
    int NIC_CONN = 0;
    /** Smallest and largest Ethernet frame a guest may send (a header, and what a 16-bit IP length allows). */
    int MIN_FRAME = 14;
    int MAX_FRAME = 65535;

    /** Largest single disk transfer, random fill or send, in bytes. */
    int MAX_TRANSFER = 1 << 20;

    // ---- outputs ----
    int send(int conn, int dataPtr, int length);

    int close(int conn);

    /** Network mode nic: one Ethernet frame out, an output like any reply. */
    int nic_send(int framePtr, int length);

    // ---- virtual disks ----
    int disk_count();

    long disk_blocks(int disk);

    int disk_read(int disk, long block, int count, int bufPtr);

    int disk_write(int disk, long block, int count, int bufPtr);

    int disk_flush(int disk);

    // ---- non-deterministic inputs ----
    long clock_now();

    void random(int bufPtr, int length);

    // ---- timers ----
    int timer_set(long id, long deadlineNanos);

    int timer_cancel(long id);

    // ---- diagnostics ----
    void console(int linePtr, int length);
}
