#pragma once
// A PostgreSQL NOTIFY as observers receive it.

#include <cstdint>
#include <functional>
#include <string>

namespace pgwamp::db {

struct Notification {
    std::string channel;
    std::string payload;
    int backend_pid = 0;  // the backend that sent NOTIFY
};

using NotifyObserver = std::function<void(const Notification&)>;
using ObserverId = std::uint64_t;

}  // namespace pgwamp::db
