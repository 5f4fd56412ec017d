/* markdown: not written yet. */
#include "util.h"
