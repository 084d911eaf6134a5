// SPDX-License-Identifier: MIT
// Umbrella header of the base layer.
#pragma once

#include "base/bits.h"
#include "base/checks.h"
#include "base/format.h"
#include "base/list.h"
#include "base/spinlock.h"
#include "base/string.h"
#include "base/types.h"
