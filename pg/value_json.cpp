#include "pg/value_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "pg/casts.hpp"

namespace pgwamp::db {
namespace {

// Builds Values straight from nlohmann's SAX events: no intermediate json
// tree, object order and duplicate keys preserved, numbers typed our way.
// nlohmann's parser is iterative; the explicit frame stack keeps this one so.
class ValueBuilder : public nlohmann::json_sax<nlohmann::json> {
public:
    bool null() override { return add(Null{}); }
    bool boolean(bool v) override { return add(v); }
    bool number_integer(number_integer_t v) override { return add(std::int64_t{v}); }
    bool number_unsigned(number_unsigned_t v) override {
        if (v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return add(static_cast<std::int64_t>(v));
        }
        return add(static_cast<double>(v));
    }
    bool number_float(number_float_t v, const string_t&) override { return add(double{v}); }
    bool string(string_t& v) override { return add(std::move(v)); }
    bool binary(binary_t&) override { return fail("JSON text cannot contain binary data"); }

    bool start_object(std::size_t) override { return open(Object{}); }
    bool key(string_t& k) override {
        frames_.back().key = std::move(k);
        return true;
    }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(Array{}); }
    bool end_array() override { return close(); }

    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& ex) override {
        // nlohmann's message quotes the offending text; ours must not (values
        // may be secrets and messages reach logs), so only say where.
        const char* what = ex.id == 406 ? "JSON number out of range" : "malformed JSON";
        return fail(std::string(what) + " at byte " + std::to_string(position));
    }

    Value take() { return std::move(root_); }
    const std::string& error() const { return error_; }

private:
    struct Frame {
        Value container;
        std::string key;
    };

    bool fail(std::string why) {
        if (error_.empty()) error_ = std::move(why);
        return false;
    }

    bool open(Value container) {
        if (frames_.size() >= static_cast<std::size_t>(max_json_depth)) {
            return fail("JSON nested deeper than " + std::to_string(max_json_depth) + " levels");
        }
        frames_.push_back({std::move(container), {}});
        return true;
    }

    bool close() {
        Value done = std::move(frames_.back().container);
        frames_.pop_back();
        return add(std::move(done));
    }

    bool add(Value v) {
        if (frames_.empty()) {
            root_ = std::move(v);
        } else if (auto* array = std::get_if<Array>(&frames_.back().container.data)) {
            array->push_back(std::move(v));
        } else {
            auto& object = std::get<Object>(frames_.back().container.data);
            object.emplace_back(std::move(frames_.back().key), std::move(v));
        }
        return true;
    }

    std::vector<Frame> frames_;
    Value root_;
    std::string error_;
};

void write_string(std::string& out, const std::string& s) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (char c : s) {
        switch (c) {
            case '"': out.append("\\\""); break;
            case '\\': out.append("\\\\"); break;
            case '\n': out.append("\\n"); break;
            case '\r': out.append("\\r"); break;
            case '\t': out.append("\\t"); break;
            case '\b': out.append("\\b"); break;
            case '\f': out.append("\\f"); break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    out.append("\\u00");
                    out.push_back(hex[(c >> 4) & 0xf]);
                    out.push_back(hex[c & 0xf]);
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
}

void write_value(std::string& out, const Value& value, int depth) {
    if (depth > max_json_depth) {
        throw_bad_value("value nested deeper than " + std::to_string(max_json_depth) + " levels");
    }
    struct Writer {
        std::string& out;
        int depth;
        void operator()(Null) const { out.append("null"); }
        void operator()(bool b) const { out.append(b ? "true" : "false"); }
        void operator()(std::int64_t i) const { out.append(std::to_string(i)); }
        void operator()(double d) const {
            if (!std::isfinite(d)) throw_bad_value("NaN and Infinity cannot be written as JSON");
            char buf[32];
            auto res = std::to_chars(buf, buf + sizeof buf, d);  // shortest round-trip
            std::string_view text(buf, static_cast<std::size_t>(res.ptr - buf));
            out.append(text);
            // Keep a double a double: "100" would read back as an integer,
            // "100.0" stays a fraction in json and in jsonb (numeric keeps its scale).
            if (text.find_first_of(".e") == std::string_view::npos) out.append(".0");
        }
        void operator()(const std::string& s) const { write_string(out, s); }
        void operator()(const Bytes&) const {
            throw_bad_value("bytes cannot be written as JSON (send them as a bytea parameter)");
        }
        void operator()(const Array& a) const {
            out.push_back('[');
            for (std::size_t i = 0; i < a.size(); ++i) {
                if (i > 0) out.push_back(',');
                write_value(out, a[i], depth + 1);
            }
            out.push_back(']');
        }
        void operator()(const Object& o) const {
            out.push_back('{');
            for (std::size_t i = 0; i < o.size(); ++i) {
                if (i > 0) out.push_back(',');
                write_string(out, o[i].first);
                out.push_back(':');
                write_value(out, o[i].second, depth + 1);
            }
            out.push_back('}');
        }
    };
    std::visit(Writer{out, depth}, value.data);
}

}  // namespace

Value parse_json(std::string_view text) {
    ValueBuilder builder;
    bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &builder);
    if (!ok) throw_bad_value(builder.error().empty() ? "malformed JSON" : builder.error());
    return builder.take();
}

std::string to_json(const Value& value) {
    std::string out;
    write_value(out, value, 0);
    return out;
}

}  // namespace pgwamp::db
