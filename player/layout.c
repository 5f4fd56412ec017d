/* layout: not written yet. */
#include "util.h"
