// Declarations only (include/CVaultFuzz.h); SwiftPM needs one source file in a C target.
#include "CVaultFuzz.h"
