/* text: not written yet. */
#include "util.h"
