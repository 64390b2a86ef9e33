/* A guest whose C constructor reads the clock during _initialize, before any event: the host must
 * refuse, because that input would never be logged. */
#include "sitepair.h"

static int64_t boot_time;

__attribute__((constructor)) static void read_clock_too_early(void) { boot_time = sp_clock_now(); }

SP_HANDLER(sp_on_init) void sp_on_init(void) {}
SP_HANDLER(sp_on_open) void sp_on_open(int32_t conn) { (void)conn; }
SP_HANDLER(sp_on_data) void sp_on_data(int32_t conn, uint32_t len) { (void)conn; (void)len; }
SP_HANDLER(sp_on_closed) void sp_on_closed(int32_t conn) { (void)conn; }
SP_HANDLER(sp_on_timer) void sp_on_timer(uint64_t id) { (void)id; }
