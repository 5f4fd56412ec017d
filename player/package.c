/* package: not written yet. */
#include "util.h"
