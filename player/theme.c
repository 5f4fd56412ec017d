/* theme: not written yet. */
#include "util.h"
