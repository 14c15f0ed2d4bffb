#include "scripted_driver.hpp"
#include "pg/sqlstate.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <set>

#include <boost/asio/post.hpp>

namespace pgwamp::db::testing {
namespace {

// What the "server" sends back, in the order a connection reads it.
struct Item {
    enum class Kind { result, sync, end, broken, notify } kind;
    std::string tag;          // command status of a result
    bool is_error = false;
    Diagnostics error;        // when is_error
    Value value;              // the one row of a query's result
    Notification notification;
};

using Chunk = std::vector<Item>;

Item ok(const std::string& tag, Value v = Value("ok")) { return Item{Item::Kind::result, tag, false, {}, std::move(v), {}}; }
Item failed(const std::string& sqlstate, const std::string& message) {
    return Item{Item::Kind::result, "", true, Diagnostics{sqlstate, message, "", ""}, {}, {}};
}
Item sync() { return Item{Item::Kind::sync, "", false, {}, {}, {}}; }
Item end() { return Item{Item::Kind::end, "", false, {}, {}, {}}; }
Item broken() { return Item{Item::Kind::broken, "", false, {}, {}, {}}; }

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

class ScriptedDriver final : public Driver {
public:
    explicit ScriptedDriver(std::shared_ptr<ScriptedServer> server) : server_(std::move(server)) {
        ++server_->made_;
        server_->drivers_.push_back(this);
    }
    ~ScriptedDriver() override {
        finish();
        auto& d = server_->drivers_;
        d.erase(std::remove(d.begin(), d.end(), this), d.end());
    }

    Step connect_start(const std::string&) override {
        fault_ = server_->take_connect_fault();
        fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fd_ < 0 || fault_ == ConnectFault::at_start) return fail("could not connect to server (scripted)");
        return Step::wait_write;
    }

    Step connect_poll() override {
        if (fd_ < 0) return Step::failed;
        ++polls_;
        drain();
        if (fault_ == ConnectFault::never_ready) return Step::wait_read;  // and nothing will come
        if (fault_ == ConnectFault::first_address_refuses && polls_ == 1) {
            // libpq closes the refused socket and opens one for the next
            // address; the kernel hands out the lowest free number: the old one.
            ::close(fd_);
            fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
            fault_ = ConnectFault::none;
            polls_ = 0;  // the next address: its handshake from the start
            return fd_ < 0 ? fail("eventfd failed") : Step::wait_write;
        }
        if (fault_ == ConnectFault::at_first_poll && polls_ == 1) return fail("connection refused (scripted)");
        if (fault_ == ConnectFault::at_second_poll && polls_ == 2) return fail("authentication failed (scripted)");
        if (polls_ == 1) {
            signal();  // the server's answer to the startup packet
            return Step::wait_read;
        }
        return Step::done;
    }

    bool enter_pipeline() override {
        if (fault_ == ConnectFault::entering_pipeline) return fail("pipeline mode refused (scripted)") == Step::done;
        pid_ = ++server_->next_pid_;
        open_ = true;
        return true;
    }

    int socket() const override { return fd_; }
    int backend_pid() const override { return pid_; }
    bool is_bad() const override { return bad_ || fd_ < 0; }
    std::string error_message() const override { return error_; }

    bool send(Request& r) override {
        server_->sent_.push_back(r.sql);
        if (is_bad()) return false;
        Rule rule = server_->take_rule(r.sql);
        if (rule.fault == Fault::send_fails) return fail("could not send data to server: Broken pipe") == Step::done;
        if (rule.fault == Fault::send_refused) {
            error_ = "statement refused (scripted)";
            return false;
        }
        Sent s{r.sql, rule, r.bound.values.empty() || !r.bound.values[0] ? "" : r.bound.values[0]};
        unflushed_.push_back(std::move(s));
        return true;
    }

    void cork(bool) override {}

    Flush flush() override {
        if (is_bad()) return Flush::failed;
        for (auto& s : unflushed_) {
            if (s.rule.fault == Fault::flush_fails) {
                fail("could not send data to server: Connection reset by peer");
                return Flush::failed;
            }
            if (s.rule.fault == Fault::flush_blocks) {
                s.rule.fault = Fault::none;  // the socket drains: the next flush completes
                return Flush::more;
            }
        }
        for (auto& s : unflushed_) backlog_.push_back(std::move(s));
        unflushed_.clear();
        run_backlog();
        return Flush::done;
    }

    bool consume_input() override {
        if (is_bad()) return false;
        drain();
        if (wire_.empty()) return true;
        Chunk chunk = std::move(wire_.front());
        wire_.pop_front();
        if (!wire_.empty()) signal();  // more arrived after this read
        for (Item& it : chunk) {
            if (it.kind == Item::Kind::end) {
                fail("server closed the connection unexpectedly");
                return false;
            }
            if (it.kind == Item::Kind::notify)
                notifications_.push_back(std::move(it.notification));
            else
                buffer_.push_back(std::move(it));
        }
        return true;
    }

    // Mirrors PgDriver::next_event: a bad connection first, then one result
    // per statement, then its sync.
    Event next_event(Request* head, const TypeRegistry&) override {
        for (;;) {
            if (is_bad()) return Event::broken;
            if (buffer_.empty()) return Event::none;
            Item it = std::move(buffer_.front());
            buffer_.pop_front();
            switch (it.kind) {
                case Item::Kind::sync: return Event::sync;
                case Item::Kind::broken: fail("connection broken (scripted)"); return Event::broken;
                case Item::Kind::result:
                    if (!head) return Event::protocol;
                    if (head->has_outcome) continue;
                    head->has_outcome = true;
                    head->command_status = it.tag;
                    if (it.is_error) {
                        head->error = statement_error(std::move(it.error), *head, is_bad());
                    } else if (head->kind == RequestKind::query) {
                        head->result.columns = {Column{"?column?", 25}};
                        head->result.rows = {{std::move(it.value)}};
                        head->result.affected_rows = 1;
                    } else {
                        head->result.affected_rows = 1;
                    }
                    return Event::statement;
                default: continue;
            }
        }
    }

    bool next_notification(Notification& out) override {
        if (notifications_.empty()) return false;
        out = std::move(notifications_.front());
        notifications_.pop_front();
        return true;
    }

    void finish() override {
        if (fd_ < 0) return;
        ::close(fd_);
        fd_ = -1;
        open_ = false;
        ++server_->finished_;
    }

    // Called by the server.
    bool open() const { return open_ && !is_bad(); }
    int pid() const { return pid_; }
    void deliver(Chunk c) {
        if (!open()) return;
        wire_.push_back(std::move(c));
        signal();
    }
    bool cancel() {
        if (!hanging_) return false;
        Sent s = std::move(*hanging_);
        hanging_.reset();
        if (s.rule.fault == Fault::lost_on_cancel) {
            deliver({end()});
            return true;
        }
        answer_failed(failed(sqlstate::query_canceled, "canceling statement due to user request"));
        run_backlog();
        return true;
    }
    bool listens(const std::string& channel) const { return channels_.count(channel) > 0; }

private:
    struct Sent {
        std::string sql;
        Rule rule;
        std::string first_param;
    };

    Step fail(const std::string& why) {
        bad_ = true;
        error_ = why;
        return Step::failed;
    }

    void signal() {
        if (signaled_ || fd_ < 0) return;
        std::uint64_t one = 1;
        signaled_ = ::write(fd_, &one, sizeof one) == sizeof one;
    }
    void drain() {
        if (!signaled_) return;
        std::uint64_t v = 0;
        if (::read(fd_, &v, sizeof v) == sizeof v) signaled_ = false;
    }

    // The server runs statements in order; one that hangs holds back the rest.
    void run_backlog() {
        while (!backlog_.empty() && !hanging_ && open()) {
            Sent s = std::move(backlog_.front());
            backlog_.pop_front();
            answer(std::move(s));
        }
    }

    void answer(Sent s) {
        switch (s.rule.fault) {
            case Fault::hang:
            case Fault::lost_on_cancel:
                hanging_ = std::move(s);
                server_->hung();
                return;
            case Fault::lost_before_result: deliver({end()}); return;
            case Fault::lost_after_result:
                deliver({success(s)});
                deliver({end()});
                return;
            case Fault::broken_after_result: deliver({success(s), broken()}); return;
            case Fault::error: answer_failed(failed(s.rule.sqlstate, "scripted error " + s.rule.sqlstate)); return;
            case Fault::error_then_lost:
                deliver({failed(s.rule.sqlstate, "terminating connection due to administrator command")});
                deliver({end()});
                return;
            default: break;
        }
        if (in_tx_ && tx_failed_ && s.sql != "COMMIT" && s.sql != "ROLLBACK") {
            answer_failed(failed(sqlstate::in_failed_sql_transaction, "current transaction is aborted"));
            return;
        }
        deliver({success(s), sync()});
    }

    void answer_failed(Item error) {
        if (in_tx_) tx_failed_ = true;
        deliver({std::move(error), sync()});
    }

    // A successful result; keeps the transaction state and LISTENs.
    Item success(const Sent& s) {
        if (s.sql == "BEGIN") {
            in_tx_ = true;
            tx_failed_ = false;
            return ok("BEGIN");
        }
        if (s.sql == "COMMIT" || s.sql == "ROLLBACK") {
            bool rolled_back = s.sql == "ROLLBACK" || tx_failed_;
            in_tx_ = tx_failed_ = false;
            return ok(rolled_back ? "ROLLBACK" : "COMMIT");
        }
        if (starts_with(s.sql, "LISTEN ")) channels_.insert(unquoted(s.sql.substr(7)));
        if (starts_with(s.sql, "UNLISTEN ")) channels_.erase(unquoted(s.sql.substr(9)));
        if (starts_with(s.sql, "SELECT pg_cancel_backend"))
            return ok("SELECT 1", Value(server_->cancel(std::atoi(s.first_param.c_str()))));
        return ok("SELECT 1");
    }

    static std::string unquoted(std::string s) {
        if (s.size() >= 2 && s.front() == '"') s = s.substr(1, s.size() - 2);
        return s;
    }

    std::shared_ptr<ScriptedServer> server_;
    int fd_ = -1;
    bool signaled_ = false;
    ConnectFault fault_ = ConnectFault::none;
    int polls_ = 0;
    int pid_ = 0;
    bool open_ = false;
    bool bad_ = false;
    std::string error_;
    std::vector<Sent> unflushed_;
    std::deque<Sent> backlog_;
    std::optional<Sent> hanging_;
    std::deque<Chunk> wire_;
    std::deque<Item> buffer_;
    std::deque<Notification> notifications_;
    std::set<std::string> channels_;
    bool in_tx_ = false;
    bool tx_failed_ = false;
};

// ---- the server ------------------------------------------------------------

DriverFactory ScriptedServer::factory() {
    std::shared_ptr<ScriptedServer> self = shared_from_this();
    return [self]() -> std::unique_ptr<Driver> { return std::make_unique<ScriptedDriver>(self); };
}

void ScriptedServer::fail_connects(ConnectFault f, int times) {
    connect_fault_ = f;
    connect_fault_times_ = times;
}

ConnectFault ScriptedServer::take_connect_fault() {
    if (connect_fault_times_ == 0) return ConnectFault::none;
    if (connect_fault_times_ > 0) --connect_fault_times_;
    return connect_fault_;
}

Rule ScriptedServer::take_rule(const std::string& sql) {
    for (Rule& r : rules_) {
        if (r.sql != sql || r.times == 0) continue;
        if (r.times > 0) --r.times;
        return r;
    }
    return Rule{sql};
}

bool ScriptedServer::cancel(int pid) {
    for (ScriptedDriver* d : drivers_)
        if (d->open() && d->pid() == pid) return d->cancel();
    return false;
}

void ScriptedServer::hung() const {
    if (on_hang_) boost::asio::post(ex_, on_hang_);
}

void ScriptedServer::break_all() {
    for (ScriptedDriver* d : drivers_) d->deliver({end()});
}

void ScriptedServer::notify(const std::string& channel, const std::string& payload) {
    for (ScriptedDriver* d : drivers_) {
        if (!d->listens(channel)) continue;
        Item n{Item::Kind::notify, "", false, {}, {}, Notification{channel, payload, 42}};
        d->deliver({std::move(n)});
    }
}

std::size_t ScriptedServer::sends(const std::string& sql) const {
    return static_cast<std::size_t>(std::count(sent_.begin(), sent_.end(), sql));
}

std::size_t ScriptedServer::listeners(const std::string& channel) const {
    return static_cast<std::size_t>(std::count_if(drivers_.begin(), drivers_.end(), [&](const ScriptedDriver* d) {
        return d->open() && d->listens(channel);
    }));
}

std::size_t ScriptedServer::open_connections() const {
    return static_cast<std::size_t>(
        std::count_if(drivers_.begin(), drivers_.end(), [](const ScriptedDriver* d) { return d->open(); }));
}

}  // namespace pgwamp::db::testing
