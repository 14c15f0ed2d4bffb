# The layering rules the link graph cannot see, checked on the source text
# (cmake -P, so CI needs nothing beyond CMake):
#  1. Three layers for PostgreSQL, each under the one before:
#     pg/ (values, casts, errors, the pgoutput codec) has no I/O: no Asio,
#       nothing from db/, changes/, wamp/ or service/;
#     db/ (the pool, its driver, the connect loop) nothing from changes/,
#       wamp/ or service/;
#     changes/ (the replication stream) nothing from the pool (db/pool*),
#       wamp/ or service/.
#  2. wamp/ includes nothing from pg/, db/ or changes/, common/ nothing of
#     ours but common/, config/ nothing but common/ and config/: they meet
#     only in service/.
#  3. No header reachable from db/pool.hpp (db/'s public face) includes libpq:
#     libpq stays inside .cpp files and private headers.
# Usage: cmake -DSOURCE_DIR=<repo> -P check_layers.cmake

cmake_minimum_required(VERSION 3.25)

if(NOT SOURCE_DIR)
  message(FATAL_ERROR "pass -DSOURCE_DIR=<repository root>")
endif()

set(violations "")

# forbid(<folder> <regex of a forbidden #include argument>)
function(forbid folder pattern)
  file(GLOB_RECURSE files ${SOURCE_DIR}/${folder}/*.hpp ${SOURCE_DIR}/${folder}/*.cpp)
  foreach(f ${files})
    file(STRINGS ${f} lines REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]${pattern}")
    foreach(line ${lines})
      file(RELATIVE_PATH rel ${SOURCE_DIR} ${f})
      list(APPEND violations "${rel}: ${line}")
    endforeach()
  endforeach()
  set(violations "${violations}" PARENT_SCOPE)
endfunction()

forbid(pg "boost/asio")
forbid(pg "(db|changes|wamp|service|config)/")
forbid(db "(changes|wamp|service|config)/")
forbid(changes "(db/pool|wamp/|service/|config/)")
forbid(wamp "(pg|db|changes)/")
forbid(common "(pg|db|changes|wamp|service|config)/")
forbid(config "(pg|db|changes|wamp|service)/")

# The check must be able to fail: a rule that matches nothing proves nothing.
set(probe_dir ${CMAKE_CURRENT_BINARY_DIR}/layers_probe)
file(REMOVE_RECURSE ${probe_dir})
file(WRITE ${probe_dir}/probe/x.hpp "#include <boost/asio/post.hpp>\n  #  include \"db/pool_core.hpp\"\n")
set(real_source_dir ${SOURCE_DIR})
set(real_violations "${violations}")
set(SOURCE_DIR ${probe_dir})
set(violations "")
forbid(probe "boost/asio")
forbid(probe "(db/pool|wamp/)")
list(LENGTH violations caught)
set(SOURCE_DIR ${real_source_dir})
set(violations "${real_violations}")
file(REMOVE_RECURSE ${probe_dir})
if(NOT caught EQUAL 2)
  list(APPEND violations "the include check caught ${caught} of 2 planted includes: is forbid() broken?")
endif()

# Walk the quoted includes from db/pool.hpp that name files of ours.
set(queue db/pool.hpp)
set(seen "")
while(queue)
  list(POP_FRONT queue header)
  if(header IN_LIST seen)
    continue()
  endif()
  list(APPEND seen ${header})
  file(STRINGS ${SOURCE_DIR}/${header} includes REGEX "^[ \t]*#[ \t]*include")
  foreach(line ${includes})
    if(line MATCHES "libpq|postgres_ext\\.h|pg_config")
      list(APPEND violations "${header}: ${line} (reachable from db/pool.hpp)")
    elseif(line MATCHES "#[ \t]*include[ \t]*\"([^\"]+)\"" AND EXISTS ${SOURCE_DIR}/${CMAKE_MATCH_1})
      list(APPEND queue ${CMAKE_MATCH_1})
    endif()
  endforeach()
endwhile()

list(LENGTH seen walked)
if(walked LESS 5)
  # The walk found too little to mean anything: the include paths changed.
  list(APPEND violations "only ${walked} headers reachable from db/pool.hpp: is the walk broken?")
endif()

if(violations)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "layering broken:\n  ${text}")
endif()
message(STATUS "layers ok: pg/ < db/ < changes/, wamp/ apart; ${walked} headers behind db/pool.hpp, none with libpq")
