#pragma once
// The bench programs' command lines, read the same way by each.

#include <boost/program_options/options_description.hpp>

#include <functional>
#include <optional>

namespace pgwamp::bench {

// Reads argv into the variables `desc` binds, then runs `check`, which
// validates and derives (throwing std::invalid_argument with the reason).
// Returns the exit code to leave with: 0 after --help (printed), 2 after a
// bad option (reason and usage on stderr); nullopt to go on.
std::optional<int> read_options(const char* program, int argc, char** argv,
                                const boost::program_options::options_description& desc,
                                const std::function<void()>& check = {});

}  // namespace pgwamp::bench
