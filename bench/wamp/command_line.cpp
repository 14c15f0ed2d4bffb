#include "command_line.hpp"

#include <boost/program_options/parsers.hpp>
#include <boost/program_options/variables_map.hpp>

#include <exception>
#include <iostream>

namespace pgwamp::bench {

std::optional<int> read_options(const char* program, int argc, char** argv,
                                const boost::program_options::options_description& desc,
                                const std::function<void()>& check) {
    namespace po = boost::program_options;
    try {
        po::variables_map vm;
        po::store(po::parse_command_line(argc, argv, desc), vm);
        if (vm.count("help")) {
            std::cout << desc << "\n";
            return 0;
        }
        po::notify(vm);  // after --help: required options are not required for it
        if (check) check();
    } catch (const std::exception& e) {
        std::cerr << program << ": " << e.what() << "\n" << desc << "\n";
        return 2;
    }
    return std::nullopt;
}

}  // namespace pgwamp::bench
