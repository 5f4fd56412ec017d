/* settings: not written yet. */
#include "util.h"
