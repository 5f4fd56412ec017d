/* sandbox: not written yet. */
#include "util.h"
