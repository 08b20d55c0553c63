// Include first in every test file: LibTorch, then Catch2.  c10 pulls in
// glog, whose CHECK macro would silently replace Catch's (a failing CHECK
// would abort instead of being reported), so it is undefined in between.
#pragma once

#include <torch/types.h>
#include <torch/utils.h>

#undef CHECK
#include <catch2/catch.hpp>
