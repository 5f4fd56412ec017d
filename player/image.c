/* image: not written yet. */
#include "util.h"
