// The integration stack as a process, for tests in other languages (the
// browser test). Prints one JSON line once PostgreSQL, Crossbar and pgwamp
// serve, then reads commands from stdin, one per line, answering each with
// one JSON line:
//   stop-router    stop Crossbar (and with it its pgwamp guest)
//   start-router   start it again on the same ports; answers once pgwamp serves
//   quit           stop everything and exit (so does closing stdin)

#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/stack.hpp"

int main() {
    using pgwamp::test::Stack;
    try {
        Stack stack;
        const auto& pg = stack.postgres();
        nlohmann::json ready = {
            {"page_url", stack.router().page_url()},
            {"ws_url", stack.router().app_url()},
            {"realm", stack.router().realm()},
            {"conninfo", "host=127.0.0.1 port=" + std::to_string(pg.port()) + " user=postgres dbname=postgres"},
        };
        std::cout << ready.dump() << std::endl;

        std::string command;
        while (std::getline(std::cin, command)) {
            nlohmann::json answer = {{"ok", true}};
            try {
                if (command == "stop-router") {
                    stack.router().stop();
                } else if (command == "start-router") {
                    stack.router().start();
                    stack.wait_until_serving(std::chrono::seconds(60));
                } else if (command == "quit") {
                    std::cout << answer.dump() << std::endl;
                    break;
                } else {
                    answer = {{"ok", false}, {"error", "unknown command: " + command}};
                }
            } catch (const std::exception& e) {
                answer = {{"ok", false}, {"error", e.what()}};
            }
            std::cout << answer.dump() << std::endl;
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "pgwamp_stack: " << e.what() << std::endl;
        return 1;
    }
}
