# Writes the SQLSTATE -> condition name table from PostgreSQL's own
# errcodes.txt (the file PostgreSQL generates its errcodes.h from), so no
# SQLSTATE is typed by hand. Called at configure time by db/CMakeLists.txt.
#   pgwamp_generate_sqlstate_names(<errcodes.txt> <output .inc>)
function(pgwamp_generate_sqlstate_names errcodes output)
    file(STRINGS "${errcodes}" lines REGEX "^[0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z] +[EWS] +ERRCODE_[A-Z0-9_]+ +[a-z0-9_]+$")
    set(entries "")
    foreach(line IN LISTS lines)
        string(REGEX MATCH "^([0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]) +[EWS] +ERRCODE_[A-Z0-9_]+ +([a-z0-9_]+)$" _ "${line}")
        string(APPEND entries "    {\"${CMAKE_MATCH_1}\", \"${CMAKE_MATCH_2}\"},\n")
    endforeach()
    list(LENGTH lines count)
    if(count LESS 100)
        message(FATAL_ERROR "${errcodes}: expected PostgreSQL's SQLSTATE table, found ${count} codes")
    endif()
    set(content "// Generated from ${errcodes}; do not edit.\n${entries}")
    set(old "")
    if(EXISTS "${output}")
        file(READ "${output}" old)
    endif()
    if(NOT old STREQUAL content)  # unchanged: nothing that includes it rebuilds
        file(WRITE "${output}" "${content}")
    endif()
endfunction()
