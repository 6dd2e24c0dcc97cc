// glibc's malloc tuning (mallopt), which Swift's Glibc module does not include. Only the
// certificate run command imports this; nothing to link (it is the C library).
#include <malloc.h>
