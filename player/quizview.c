/* quizview: not written yet. */
#include "util.h"
