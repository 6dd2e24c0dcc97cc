// libpq, the official PostgreSQL client library. Only the Postgres target imports this module.
#include <libpq-fe.h>
