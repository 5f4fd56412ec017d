/* quiz: not written yet. */
#include "util.h"
