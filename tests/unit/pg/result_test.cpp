// make_result without a server: libpq can build a PGresult by hand
// (PQmakeEmptyPGresult + PQsetResultAttrs + PQsetvalue), as event procs do.
#include "pg/pg_result.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "value_print.hpp"

namespace pgwamp::db {
namespace {

namespace t = pg_type;

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

struct Col {
    const char* name;
    Oid type;
    int format = 0;
};

// rows: nullptr = SQL NULL
ResultPtr make_pg_result(std::vector<Col> cols, std::vector<std::vector<const char*>> rows,
                         ExecStatusType status = PGRES_TUPLES_OK) {
    ResultPtr res(PQmakeEmptyPGresult(nullptr, status), &PQclear);
    std::vector<PGresAttDesc> attrs;
    for (auto& c : cols) {
        attrs.push_back(PGresAttDesc{const_cast<char*>(c.name), 0, 0, c.format, c.type, -1, -1});
    }
    EXPECT_TRUE(PQsetResultAttrs(res.get(), static_cast<int>(attrs.size()), attrs.data()));
    for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
        for (int c = 0; c < static_cast<int>(rows[r].size()); ++c) {
            const char* v = rows[r][c];
            EXPECT_TRUE(PQsetvalue(res.get(), r, c, const_cast<char*>(v),
                                   v ? static_cast<int>(std::strlen(v)) : -1));
        }
    }
    return res;
}

TEST(MakeResult, CastsEveryCellByColumnType) {
    auto pg = make_pg_result({{"id", t::int4}, {"name", t::text}, {"tags", t::array_text},
                              {"doc", t::jsonb}, {"at", t::timestamptz}},
                             {{"1", "a", "{x,NULL}", R"({"k": [1]})", "2026-11-21 07:00:00+00"},
                              {"2", nullptr, nullptr, "null", nullptr}});
    Result r = make_result(pg.get(), *TypeRegistry::defaults());
    ASSERT_EQ(r.columns.size(), 5u);
    EXPECT_EQ(r.columns[0].name, "id");
    EXPECT_EQ(r.columns[2].type, t::array_text);
    ASSERT_EQ(r.rows.size(), 2u);
    EXPECT_EQ(r.rows[0], (std::vector<Value>{1, "a", Array{"x", Null{}}, Object{{"k", Array{1}}},
                                             "2026-11-21T07:00:00+00:00"}));
    // SQL NULL is Null; JSON null inside a jsonb column is Null too.
    EXPECT_EQ(r.rows[1], (std::vector<Value>{2, Null{}, Null{}, Null{}, Null{}}));
    EXPECT_EQ(r.affected_rows, 0u);  // a hand-made result has no command tag
}

TEST(MakeResult, TuplesAndMaps) {
    auto pg = make_pg_result({{"a", t::int4}, {"b", t::text}}, {{"1", "x"}, {"2", nullptr}});
    Result r = make_result(pg.get(), *TypeRegistry::defaults());
    EXPECT_EQ(r.rows_as_tuples(), (Array{Array{1, "x"}, Array{2, Null{}}}));
    EXPECT_EQ(r.rows_as_maps(),
              (Array{Object{{"a", 1}, {"b", "x"}}, Object{{"a", 2}, {"b", Null{}}}}));
}

TEST(MakeResult, MovingOutGivesTheSameRows) {
    auto pg = make_pg_result({{"a", t::int4}, {"b", t::text}, {"a", t::text}},
                             {{"1", "a long string that is not inline", "x"}, {"2", nullptr, "y"}});
    Result r = make_result(pg.get(), *TypeRegistry::defaults());
    Array maps = r.rows_as_maps();
    Array tuples = r.rows_as_tuples();
    Result r2 = r;
    EXPECT_EQ(std::move(r).rows_as_maps(), maps);
    EXPECT_TRUE(r.rows.empty());  // NOLINT(bugprone-use-after-move): moved out on purpose
    EXPECT_EQ(std::move(r2).rows_as_tuples(), tuples);
    EXPECT_TRUE(r2.rows.empty());  // NOLINT(bugprone-use-after-move)
}

TEST(MakeResult, RepeatedColumnNamesActLikeADict) {
    auto pg = make_pg_result({{"x", t::int4}, {"y", t::int4}, {"x", t::int4}}, {{"1", "2", "3"}});
    Result r = make_result(pg.get(), *TypeRegistry::defaults());
    EXPECT_EQ(r.rows_as_tuples(), (Array{Value(Array{1, 2, 3})}));
    EXPECT_EQ(r.rows_as_maps(), (Array{Object{{"x", 3}, {"y", 2}}}));
}

TEST(MakeResult, NoRowsAndCommands) {
    auto empty = make_pg_result({{"a", t::int4}}, {});
    Result r = make_result(empty.get(), *TypeRegistry::defaults());
    EXPECT_EQ(r.columns.size(), 1u);
    EXPECT_TRUE(r.rows.empty());
    EXPECT_TRUE(r.rows_as_maps().empty());
    ResultPtr cmd(PQmakeEmptyPGresult(nullptr, PGRES_COMMAND_OK), &PQclear);
    Result c = make_result(cmd.get(), *TypeRegistry::defaults());
    EXPECT_TRUE(c.columns.empty());
    EXPECT_TRUE(c.rows.empty());
    ResultPtr none(PQmakeEmptyPGresult(nullptr, PGRES_EMPTY_QUERY), &PQclear);
    EXPECT_TRUE(make_result(none.get(), *TypeRegistry::defaults()).rows.empty());
}

TEST(MakeResult, CustomRegistry) {
    TypeRegistry types;  // empty: everything text
    auto pg = make_pg_result({{"n", t::int4}}, {{"7"}});
    EXPECT_EQ(make_result(pg.get(), types).rows[0][0], Value("7"));
}

TEST(MakeResult, BinaryColumns) {
    auto bytea = make_pg_result({{"b", t::bytea, 1}}, {{"ab"}});
    EXPECT_EQ(make_result(bytea.get(), *TypeRegistry::defaults()).rows[0][0], Value(Bytes{'a', 'b'}));
    auto int4 = make_pg_result({{"i", t::int4, 1}}, {{"abcd"}});
    std::string msg = PGWAMP_BAD_VALUE(make_result(int4.get(), *TypeRegistry::defaults()));
    EXPECT_NE(msg.find("binary"), std::string::npos) << msg;
}

TEST(MakeResult, BadCellIsBadValue) {
    auto pg = make_pg_result({{"i", t::int4}}, {{"1"}, {"x"}});
    PGWAMP_BAD_VALUE(make_result(pg.get(), *TypeRegistry::defaults()));
}

TEST(MakeResult, ErrorStatusesAndNull) {
    PGWAMP_BAD_VALUE(make_result(nullptr, *TypeRegistry::defaults()));
    ResultPtr fatal(PQmakeEmptyPGresult(nullptr, PGRES_FATAL_ERROR), &PQclear);
    try {
        make_result(fatal.get(), *TypeRegistry::defaults());
        ADD_FAILURE() << "no throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), make_error_code(Errc::sql_error));
    }
}

}  // namespace
}  // namespace pgwamp::db
