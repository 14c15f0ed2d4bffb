// procedures: URIs, modes, arguments, placeholders, interactions, result shape.

#include "test_support.hpp"

namespace pgwamp::config::test {
namespace {

const std::string uri = "com.example.p";
const std::string at = "procedures[\"com.example.p\"]";

nlohmann::json with_procedure(nlohmann::json procedure) {
    auto doc = minimal_doc();
    doc["procedures"] = {{uri, std::move(procedure)}};
    return doc;
}

ProcedureConfig procedure(nlohmann::json p) { return parse(with_procedure(std::move(p))).procedures.at(uri); }

TEST(Procedures, QueryDefaults) {
    const auto p = procedure({{"sql", "SELECT $1::int + $2::int"}, {"args", {"a", "b"}}});
    EXPECT_EQ(p.uri, uri);
    EXPECT_EQ(p.mode, Mode::query);
    EXPECT_EQ(p.rows, RowFormat::maps);
    EXPECT_EQ(p.single, Single::none);
    EXPECT_FALSE(p.timeout);
    ASSERT_EQ(p.statements.size(), 1u);
    EXPECT_EQ(p.statements[0].params, (std::vector<std::size_t>{0, 1}));
    ASSERT_EQ(p.args.size(), 2u);
    EXPECT_EQ(p.args[1].name, "b");
    EXPECT_EQ(p.args[1].type, ArgType::any);
    EXPECT_TRUE(p.args[1].required);
}

TEST(Procedures, AllKeys) {
    const auto p = procedure({{"mode", "query"},
                              {"sql", "SELECT * FROM t WHERE a = $1 AND b = $2"},
                              {"args",
                               {{{"name", "a"}, {"type", "string"}},
                                {{"name", "b"}, {"type", "number"}, {"required", false}}}},
                              {"rows", "tuples"},
                              {"timeout_ms", 250},
                              {"max_rows", 5}});
    EXPECT_EQ(p.rows, RowFormat::tuples);
    EXPECT_EQ(p.timeout, Milliseconds(250));
    EXPECT_EQ(p.max_rows, 5u);
    EXPECT_EQ(p.args[0].type, ArgType::string);
    EXPECT_FALSE(p.args[1].required);
    EXPECT_FALSE(p.args[1].default_value);
}

TEST(Procedures, ArgumentBoundsAndStreamLimit) {
    const auto p = procedure({{"sql", "SELECT generate_series(1, $1)"},
                              {"args", {{{"name", "count"}, {"type", "int"}, {"min", 0}, {"max", 1000}}}},
                              {"stream_max_rows", 5000}});
    EXPECT_EQ(p.args[0].min, 0.0);
    EXPECT_EQ(p.args[0].max, 1000.0);
    EXPECT_EQ(p.stream_max_rows, 5000u);
    EXPECT_EQ(procedure({{"sql", "SELECT 1"}}).stream_max_rows, 10'000'000u);

    expect_error(with_procedure({{"sql", "SELECT $1"}, {"args", {{{"name", "s"}, {"type", "string"}, {"min", 1}}}}}),
                 at + ".args[0].min", "only an \"int\" or \"number\" argument has bounds");
    expect_error(with_procedure({{"sql", "SELECT $1"},
                                 {"args", {{{"name", "n"}, {"type", "int"}, {"min", 5}, {"max", 1}}}}}),
                 at + ".args[0]", "\"min\" is larger than \"max\"");
    expect_error(with_procedure({{"sql", "SELECT 1"}, {"single", "row"}, {"stream_max_rows", 10}}),
                 at + ".stream_max_rows", "streams");
    expect_error(with_procedure({{"mode", "operation"}, {"sql", "SELECT 1"}, {"stream_max_rows", 10}}),
                 at + ".stream_max_rows", "streams");
}

TEST(Procedures, PrepareIsOnByDefaultAndCanBeTurnedOff) {
    EXPECT_TRUE(procedure({{"sql", "SELECT 1"}}).prepare);
    EXPECT_FALSE(procedure({{"sql", "SELECT 1"}, {"prepare", false}}).prepare);
    expect_error(with_procedure({{"sql", "SELECT 1"}, {"prepare", "no"}}), at + ".prepare", "true or false");
}

TEST(Procedures, InvalidUri) {
    for (const char* bad : {"com..example", ".com.example", "com.example.", "com example", "com.#x", ""}) {
        auto doc = minimal_doc();
        doc["procedures"] = {{bad, {{"sql", "SELECT 1"}}}};
        expect_error(doc, "procedures[" + nlohmann::json(bad).dump() + "]", "not a valid procedure URI");
    }
    auto doc = minimal_doc();
    doc["procedures"] = {{"wamp.session.count", {{"sql", "SELECT 1"}}}};
    expect_error(doc, "procedures[\"wamp.session.count\"]", "reserved");
}

TEST(Procedures, ModeMustBeKnown) {
    expect_error(with_procedure({{"sql", "SELECT 1"}, {"mode", "querry"}}), at + ".mode",
                 "expected one of \"query\", \"operation\", \"interaction\", found \"querry\" (did you mean \"query\"?)");
    expect_error(with_procedure({{"sql", "SELECT 1"}, {"mode", 1}}), at + ".mode", "found the integer 1");
}

TEST(Procedures, SqlRequiredAndNonEmpty) {
    expect_error(with_procedure({{"args", {"a"}}}), at + ".sql", "required key is missing");
    expect_error(with_procedure({{"sql", "  "}}), at + ".sql", "non-empty");
    expect_error(with_procedure({{"sql", {"SELECT 1"}}}), at + ".sql", "needs mode \"interaction\"");
}

TEST(Procedures, PlaceholderCountMustMatchArgs) {
    expect_error(with_procedure({{"sql", "SELECT $1, $2"}, {"args", {"a"}}}), at + ".sql",
                 "uses $2 but only 1 argument is bound");
    expect_error(with_procedure({{"sql", "SELECT $1"}, {"args", {"a", "b"}}}), at + ".sql",
                 "2 arguments are bound but $2 does not appear");
    expect_error(with_procedure({{"sql", "SELECT $2"}, {"args", {"a", "b"}}}), at + ".sql",
                 "$1 does not appear");
    expect_error(with_procedure({{"sql", "SELECT '$1'"}, {"args", {"a"}}}), at + ".sql",
                 "placeholders inside quotes or comments do not count");
    expect_error(with_procedure({{"sql", "SELECT 'abc"}}), at + ".sql", "unterminated string literal");
    expect_error(with_procedure({{"sql", "SELECT $0"}}), at + ".sql", "out of range");
    // A placeholder used twice binds one argument.
    EXPECT_EQ(procedure({{"sql", "SELECT $1 WHERE $1 > 0"}, {"args", {"a"}}}).args.size(), 1u);
}

TEST(Procedures, ArgumentRules) {
    expect_error(with_procedure({{"sql", "SELECT $1"}, {"args", "a"}}), at + ".args", "expected an array");
    expect_error(with_procedure({{"sql", "SELECT $1, $2"}, {"args", {"a", "a"}}}), at + ".args[1]",
                 "duplicate argument name \"a\"");
    expect_error(with_procedure({{"sql", "SELECT $1"}, {"args", {"1a"}}}), at + ".args[0]", "argument name");
    expect_error(with_procedure({{"sql", "SELECT $1"}, {"args", {{{"type", "int"}}}}}), at + ".args[0].name",
                 "required key is missing");
    expect_error(with_procedure({{"sql", "SELECT $1"}, {"args", {{{"name", "a"}, {"type", "integer"}}}}}),
                 at + ".args[0].type", "found \"integer\"");
    expect_error(with_procedure({{"sql", "SELECT $1"}, {"args", {{{"name", "a"}, {"type", "int"}, {"default", "x"}}}}}),
                 at + ".args[0].default", "expected a default of type \"int\", found a string");
    expect_error(with_procedure({{"sql", "SELECT $1"}, {"args", {{{"name", "a"}, {"default", 1}, {"required", true}}}}}),
                 at + ".args[0].required", "never required");
    expect_error(with_procedure({{"sql", "SELECT $1"}, {"args", {42}}}), at + ".args[0]",
                 "expected an argument name or an object");
}

TEST(Procedures, ArgumentTypes) {
    const auto p = procedure({{"sql", "SELECT $1, $2, $3, $4, $5, $6, $7"},
                              {"args",
                               {{{"name", "s"}, {"type", "string"}, {"default", "x"}},
                                {{"name", "i"}, {"type", "int"}, {"default", 1}},
                                {{"name", "n"}, {"type", "number"}, {"default", 1.5}},
                                {{"name", "b"}, {"type", "bool"}, {"default", true}},
                                {{"name", "o"}, {"type", "object"}, {"default", {{"k", 1}}}},
                                {{"name", "a"}, {"type", "array"}, {"default", {1, 2}}},
                                {{"name", "z"}, {"type", "any"}, {"default", nullptr}}}}});
    const ArgType expected[] = {ArgType::string, ArgType::integer, ArgType::number, ArgType::boolean,
                                ArgType::object, ArgType::array, ArgType::any};
    for (std::size_t i = 0; i < 7; ++i) {
        EXPECT_EQ(p.args[i].type, expected[i]) << i;
        EXPECT_FALSE(p.args[i].required) << i;
        EXPECT_TRUE(p.args[i].default_value) << i;
    }
    EXPECT_TRUE(arg_type_accepts(ArgType::integer, nlohmann::json(3)));
    EXPECT_FALSE(arg_type_accepts(ArgType::integer, nlohmann::json(3.5)));
    EXPECT_TRUE(arg_type_accepts(ArgType::number, nlohmann::json(3)));
    EXPECT_TRUE(arg_type_accepts(ArgType::string, nlohmann::json(nullptr)));
    EXPECT_FALSE(arg_type_accepts(ArgType::boolean, nlohmann::json("true")));
}

TEST(Procedures, OperationReturnsNoRows) {
    const auto p = procedure({{"mode", "operation"}, {"sql", "DELETE FROM t WHERE id = $1"}, {"args", {"id"}}});
    EXPECT_EQ(p.mode, Mode::operation);
    for (const auto& [key, value] : {std::pair<std::string, nlohmann::json>{"rows", "maps"},
                                     {"single", "row"}, {"max_rows", 10}}) {
        expect_error(with_procedure({{"mode", "operation"}, {"sql", "DELETE FROM t"}, {key, value}}), at + "." + key,
                     "not used with mode \"operation\"");
    }
}

TEST(Procedures, SingleRowAndValue) {
    EXPECT_EQ(procedure({{"sql", "SELECT 1"}, {"single", "row"}}).single, Single::row);
    const auto v = procedure({{"sql", "SELECT 1"}, {"single", "value"}});
    EXPECT_EQ(v.single, Single::value);
    EXPECT_EQ(v.max_rows, 1u);
    EXPECT_EQ(procedure({{"sql", "SELECT 1"}, {"single", false}}).single, Single::none);
    expect_error(with_procedure({{"sql", "SELECT 1"}, {"single", true}}), at + ".single",
                 "expected false, \"row\" (the first row) or \"value\"");
    expect_error(with_procedure({{"sql", "SELECT 1"}, {"single", "rows"}}), at + ".single", "did you mean \"row\"?");
    expect_error(with_procedure({{"sql", "SELECT 1"}, {"single", "row"}, {"max_rows", 3}}), at + ".max_rows",
                 "not used with \"single\"");
}

TEST(Procedures, RowsTimeoutMaxRows) {
    expect_error(with_procedure({{"sql", "SELECT 1"}, {"rows", "map"}}), at + ".rows", "did you mean \"maps\"?");
    expect_error(with_procedure({{"sql", "SELECT 1"}, {"timeout_ms", -5}}), at + ".timeout_ms", "from 1 to 86400000");
    expect_error(with_procedure({{"sql", "SELECT 1"}, {"timeout_ms", 0}}), at + ".timeout_ms", "from 1 to 86400000");
    expect_error(with_procedure({{"sql", "SELECT 1"}, {"max_rows", 0}}), at + ".max_rows", "from 1 to 10000000");
}

TEST(Procedures, Interaction) {
    const auto p = procedure({{"mode", "interaction"},
                              {"args", {"a", "b"}},
                              {"sql",
                               {"LOCK TABLE t IN SHARE ROW EXCLUSIVE MODE",
                                {{"sql", "INSERT INTO t (x, y) VALUES ($1, $2)"}, {"args", {"b", "a"}}},
                                {{"sql", "SELECT $1::text || $1::text"}, {"args", {"a"}}}}},
                              {"single", "value"}});
    ASSERT_EQ(p.statements.size(), 3u);
    EXPECT_TRUE(p.statements[0].params.empty());
    EXPECT_EQ(p.statements[1].params, (std::vector<std::size_t>{1, 0}));
    EXPECT_EQ(p.statements[2].params, (std::vector<std::size_t>{0}));
    EXPECT_EQ(p.statements[2].sql, "SELECT $1::text || $1::text");
}

TEST(Procedures, InteractionRules) {
    expect_error(with_procedure({{"mode", "interaction"}, {"sql", "SELECT 1"}}), at + ".sql",
                 "non-empty list of statements");
    expect_error(with_procedure({{"mode", "interaction"}, {"sql", nlohmann::json::array()}}), at + ".sql",
                 "non-empty list of statements");
    expect_error(with_procedure({{"mode", "interaction"}, {"args", {"a"}},
                                 {"sql", {{{"sql", "SELECT $1"}, {"args", {"b"}}}}}}),
                 at + ".sql[0].args[0]", "\"b\" is not one of the procedure's args");
    expect_error(with_procedure({{"mode", "interaction"}, {"args", {"a"}},
                                 {"sql", {{{"sql", "SELECT $1, $2"}, {"args", {"a"}}}}}}),
                 at + ".sql[0].sql", "uses $2 but only 1 argument is bound");
    expect_error(with_procedure({{"mode", "interaction"}, {"args", {"a", "b"}},
                                 {"sql", {{{"sql", "SELECT $1"}, {"args", {"a"}}}}}}),
                 at + ".args[1]", "argument \"b\" is not bound by any statement");
    expect_error(with_procedure({{"mode", "interaction"}, {"sql", {"SELECT $1"}}}), at + ".sql[0]",
                 "uses $1 but only 0 arguments are bound");
    expect_error(with_procedure({{"mode", "interaction"}, {"sql", {{{"sql", "SELECT 1"}, {"arg", {}}}}}}),
                 at + ".sql[0].arg", "did you mean \"args\"?");
    expect_error(with_procedure({{"mode", "interaction"}, {"sql", {7}}}), at + ".sql[0]",
                 "expected a statement");
}

TEST(Procedures, NotifyProcedureMayNotClash) {
    auto doc = minimal_doc();
    doc["procedures"]["com.example.notify"] = {{"sql", "SELECT 1"}};
    expect_error(doc, "service.notify_procedure", "also configured under procedures");
}

}  // namespace
}  // namespace pgwamp::config::test
