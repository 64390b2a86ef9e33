/* A guest built against a future ABI: the host must refuse to load it. */
#include <stdint.h>
__attribute__((export_name("sp_abi_version"))) int32_t sp_abi_version(void) { return 2; }
__attribute__((export_name("sp_on_init"))) void sp_on_init(void) {}
