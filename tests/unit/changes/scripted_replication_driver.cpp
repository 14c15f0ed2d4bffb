#include "scripted_replication_driver.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace pgwamp::db::testing {
namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

void drain(int fd) {
    std::uint64_t n = 0;
    [[maybe_unused]] auto r = ::read(fd, &n, sizeof n);
}

void signal(int fd) {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto r = ::write(fd, &one, sizeof one);
}

}  // namespace

ScriptedReplicationDriver::Step ScriptedReplicationDriver::fail(std::string why) {
    error_ = std::move(why);
    bad_ = true;
    return Step::failed;
}

ScriptedReplicationDriver::Step ScriptedReplicationDriver::connect_start(const std::string&) {
    if (script_.fault == ReplicationFault::at_start) return fail("could not connect to server (scripted)");
    fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd_ < 0) return fail("eventfd failed");
    return Step::wait_write;
}

ScriptedReplicationDriver::Step ScriptedReplicationDriver::connect_poll() {
    ++polls_;
    switch (script_.fault) {
        case ReplicationFault::at_first_poll: return fail("connection refused (scripted)");
        case ReplicationFault::never_ready: return Step::wait_read;  // and nothing will come
        case ReplicationFault::first_address_refuses:
            if (polls_ > 1) break;
            // libpq closes the refused socket and opens one for the next
            // address: the kernel hands out the lowest free number, the old one.
            first_socket_ = fd_;
            ::close(fd_);
            fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
            reopened_socket_ = fd_;
            return Step::wait_write;
        default: break;
    }
    return Step::done;
}

bool ScriptedReplicationDriver::enter_nonblocking() {
    if (script_.fault != ReplicationFault::nonblocking_refused) return true;
    fail("non-blocking mode refused (scripted)");
    return false;
}

void ScriptedReplicationDriver::send(Item item) {
    inbox_.push_back(std::move(item));
    signal(fd_);
}

bool ScriptedReplicationDriver::send_query(const std::string& sql) {
    sent_.push_back(sql);
    if (bad_) return false;
    if (fault_on(sql, ReplicationFault::send_fails)) {
        fail("could not send data to server (scripted)");
        return false;
    }
    if (fault_on(sql, ReplicationFault::flush_fails) || fault_on(sql, ReplicationFault::flush_blocks)) {
        flush_fault_ = script_.fault;
    }
    if (fault_on(sql, ReplicationFault::lost_before_result)) {
        send({Item::Kind::lost, {}, {}});
        return true;
    }
    if (fault_on(sql, ReplicationFault::error)) {
        send({Item::Kind::result, {Result::Kind::error, {}, {script_.sqlstate, "refused (scripted)", "", ""}}, {}});
        send({Item::Kind::results_end, {}, {}});
        return true;
    }
    if (!starts_with(sql, "START_REPLICATION")) {
        send({Item::Kind::result, {Result::Kind::rows, {{std::string("ok")}}, {}}, {}});
        send({Item::Kind::results_end, {}, {}});
        return true;
    }
    send({Item::Kind::result, {Result::Kind::copy_both, {}, {}}, {}});
    for (int i = 1; i <= script_.messages; ++i) send({Item::Kind::copy_message, {}, "message " + std::to_string(i)});
    switch (script_.fault) {
        case ReplicationFault::lost_while_copying: send({Item::Kind::lost, {}, {}}); break;
        case ReplicationFault::server_ends_copy:
            send({Item::Kind::copy_end, {}, {}});
            send({Item::Kind::results_end, {}, {}});
            break;
        case ReplicationFault::server_ends_copy_error:
            send({Item::Kind::copy_end, {}, {}});
            send({Item::Kind::result, {Result::Kind::error, {}, {script_.sqlstate, "ended (scripted)", "", ""}}, {}});
            send({Item::Kind::results_end, {}, {}});
            break;
        default: break;  // the stream stays open
    }
    return true;
}

ScriptedReplicationDriver::Flush ScriptedReplicationDriver::flush() {
    if (bad_) return Flush::failed;
    const auto fault = std::exchange(flush_fault_, ReplicationFault::none);
    if (fault == ReplicationFault::flush_fails) {
        fail("could not send data to server: broken pipe (scripted)");
        return Flush::failed;
    }
    return fault == ReplicationFault::flush_blocks ? Flush::more : Flush::done;
}

bool ScriptedReplicationDriver::consume_input() {
    if (fd_ < 0 || bad_) return false;
    drain(fd_);
    bool read_something = false;
    while (!inbox_.empty()) {
        if (inbox_.front().kind == Item::Kind::lost) {
            // What came before it was read first; the end is the next read.
            if (!read_something) {
                inbox_.clear();
                fail("server closed the connection unexpectedly (scripted)");
                return false;
            }
            signal(fd_);
            break;
        }
        received_.push_back(std::move(inbox_.front()));
        inbox_.pop_front();
        read_something = true;
    }
    return true;
}

std::optional<ScriptedReplicationDriver::Result> ScriptedReplicationDriver::next_result(bool* complete) {
    *complete = false;
    if (received_.empty()) return std::nullopt;
    Item& front = received_.front();
    if (front.kind == Item::Kind::results_end) {
        received_.pop_front();
        *complete = true;
        return std::nullopt;
    }
    if (front.kind != Item::Kind::result) return std::nullopt;
    Result r = std::move(front.result);
    received_.pop_front();
    return r;
}

ScriptedReplicationDriver::Copy ScriptedReplicationDriver::next_copy_data(std::string_view& message) {
    if (received_.empty()) return bad_ ? Copy::failed : Copy::wait;
    Item& front = received_.front();
    if (front.kind == Item::Kind::copy_end) {
        received_.pop_front();
        return Copy::ended;
    }
    if (front.kind != Item::Kind::copy_message) return Copy::failed;
    current_message_ = std::move(front.message);
    received_.pop_front();
    message = current_message_;
    return Copy::message;
}

std::optional<Diagnostics> ScriptedReplicationDriver::end_of_copy() {
    std::optional<Diagnostics> error;
    while (!received_.empty() && received_.front().kind != Item::Kind::results_end) {
        auto& r = received_.front().result;
        if (r.kind == Result::Kind::error && !error) error = r.diagnostics;
        received_.pop_front();
    }
    if (!received_.empty()) received_.pop_front();
    return error;
}

bool ScriptedReplicationDriver::put_copy_data(std::string_view data) {
    if (bad_) return false;
    if (script_.fault == ReplicationFault::status_update_fails) {
        fail("could not send data to server (scripted)");
        return false;
    }
    copy_data_sent_.emplace_back(data);
    return true;
}

void ScriptedReplicationDriver::finish() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

}  // namespace pgwamp::db::testing
