/* manifest: not written yet. */
#include "util.h"
