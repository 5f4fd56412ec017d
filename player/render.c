/* render: not written yet. */
#include "util.h"
