#ifndef CHAIN_AUDIT_CLIBPQ_SHIM_H
#define CHAIN_AUDIT_CLIBPQ_SHIM_H

#include <libpq-fe.h>

#endif
