# Precompiled headers: the heavy third-party headers are parsed once per
# library and once for all the test programs, instead of once per file
# (before: Boost.Asio parsed 181 times a build, GoogleTest 157, nlohmann/json
# 163). PGWAMP_PCH=OFF turns them off, to check a file includes what it uses.
option(PGWAMP_PCH "Precompile the heavy third-party headers" ON)

set(pgwamp_pch_std <algorithm> <chrono> <cstdint> <functional> <map> <memory> <optional>
    <stdexcept> <string> <string_view> <utility> <vector>)
set(pgwamp_pch_asio <boost/asio/any_io_executor.hpp> <boost/asio/io_context.hpp>
    <boost/asio/post.hpp> <boost/asio/steady_timer.hpp>)
set(pgwamp_pch_json <nlohmann/json.hpp>)
set(pgwamp_pch_log <spdlog/spdlog.h>)

# clang stamps a PCH with its build time, so ccache would miss every file
# that uses a rebuilt one; without the stamp the same headers hit again.
if(PGWAMP_PCH AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  add_compile_options("SHELL:-Xclang -fno-pch-timestamp")
endif()

# pgwamp_precompile(target header...): the target's own precompiled header.
function(pgwamp_precompile target)
  if(PGWAMP_PCH)
    target_precompile_headers(${target} PRIVATE ${pgwamp_pch_std} ${ARGN})
  endif()
endfunction()
