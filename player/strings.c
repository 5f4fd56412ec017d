/* strings: not written yet. */
#include "util.h"
