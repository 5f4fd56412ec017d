/* replay: not written yet. */
#include "util.h"
