# Writes, from PostgreSQL's own errcodes.txt (the file PostgreSQL generates
# its errcodes.h from), so no SQLSTATE is typed by hand in our sources:
#   <dir>/pg/sqlstate_codes.hpp   one constant per code, named after its
#                                 ERRCODE_ macro: db::sqlstate::object_in_use
#   <dir>/pg/sqlstate_names.inc   the SQLSTATE -> condition name table
# Called at configure time by pg/CMakeLists.txt.
#   pgwamp_generate_sqlstate(<errcodes.txt> <dir>)

# Writes only when the content changed: nothing that includes it rebuilds.
function(_pgwamp_write_if_changed path content)
    set(old "")
    if(EXISTS "${path}")
        file(READ "${path}" old)
    endif()
    if(NOT old STREQUAL content)
        file(WRITE "${path}" "${content}")
    endif()
endfunction()

function(pgwamp_generate_sqlstate errcodes dir)
    set(code "[0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]")
    file(STRINGS "${errcodes}" lines REGEX "^${code} +[EWS] +ERRCODE_[A-Z0-9_]+")
    list(LENGTH lines count)
    if(count LESS 100)
        message(FATAL_ERROR "${errcodes}: expected PostgreSQL's SQLSTATE table, found ${count} codes")
    endif()
    set(names "")
    set(constants "")
    foreach(line IN LISTS lines)
        string(REGEX MATCH "^(${code}) +[EWS] +ERRCODE_([A-Z0-9_]+) *([a-z0-9_]*)$" _ "${line}")
        set(sqlstate "${CMAKE_MATCH_1}")
        string(TOLOWER "${CMAKE_MATCH_2}" macro)
        set(condition "${CMAKE_MATCH_3}")
        string(APPEND constants "inline constexpr char ${macro}[] = \"${sqlstate}\";\n")
        if(condition)
            string(APPEND names "    {\"${sqlstate}\", \"${condition}\"},\n")
        endif()
    endforeach()
    _pgwamp_write_if_changed("${dir}/pg/sqlstate_names.inc" "// Generated from ${errcodes}; do not edit.\n${names}")
    string(CONCAT header "#pragma once\n// Generated from ${errcodes} by cmake/sqlstate.cmake; do not edit.\n"
           "// Each SQLSTATE named after PostgreSQL's ERRCODE_ macro, lower case.\n\n"
           "namespace pgwamp::db::sqlstate {\n\n${constants}\n}  // namespace pgwamp::db::sqlstate\n")
    _pgwamp_write_if_changed("${dir}/pg/sqlstate_codes.hpp" "${header}")
endfunction()
