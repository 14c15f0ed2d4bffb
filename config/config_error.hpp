#pragma once
// Every problem with a configuration is reported as one line that a person
// can act on without reading our code:
//     <file>: <key path>: <what was expected / what was found>
// e.g.  pgwamp.json: procedures["com.example.notes.list"].mode: expected one
//       of "query", "operation", "interaction", found "querry"
// Messages never contain secret values and never echo free-form values
// (a conninfo or a URL might carry a password); they name keys instead.

#include <stdexcept>
#include <string>

namespace pgwamp::config {

class ConfigError : public std::runtime_error {
public:
    ConfigError(std::string file, std::string key_path, std::string reason);

    const std::string& file() const noexcept { return file_; }
    // e.g. `procedures["com.example.notes.list"].args[0].type`; "(top level)" for the document.
    const std::string& key_path() const noexcept { return key_path_; }
    const std::string& reason() const noexcept { return reason_; }

private:
    std::string file_;
    std::string key_path_;
    std::string reason_;
};

}  // namespace pgwamp::config
