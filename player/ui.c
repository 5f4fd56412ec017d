/* ui: not written yet. */
#include "util.h"
