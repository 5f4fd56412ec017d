/* paths: not written yet. */
#include "util.h"
