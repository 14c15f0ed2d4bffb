#pragma once
// A live query's caller, as web/js/live.js is: keeps the rows by key,
// applies changes in order, resumes with handle/after, and records what it
// was sent so tests can check what it must never see. Runs on its Caller's
// event loop (drive it with Caller::run_until or poll()).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/service/service_support.hpp"

namespace pgwamp::test::service {

class LiveFollower {
public:
    // `record`: keep every row, key and kind sent (seen_rows() ...); off for
    // long randomized runs, where it would grow by millions of entries.
    LiveFollower(Caller& caller, std::string uri, Object kwargs = {}, bool record = true);
    ~LiveFollower() { *alive_ = false; }  // its Caller may still deliver results of its last call

    // A new snapshot (rows replaced at ready), or a resume from handle/position.
    void start();
    void resume();
    void cancel();
    bool running() const { return outcome_ && !outcome_->done; }
    bool ready() const { return ready_; }
    // Waits until ready, or the call ended.
    bool wait_ready(std::chrono::milliseconds limit = 30s);

    const std::map<std::string, Object>& rows() const { return rows_; }
    const std::string& handle() const { return handle_; }
    const std::string& position() const { return position_; }
    // The error the last call ended with ("" while it runs or after success).
    std::string error_uri() const { return outcome_ && outcome_->done ? outcome_->error_uri : ""; }
    std::string error_text() const { return outcome_ ? outcome_->describe() : "not started"; }
    // Every snapshot row and change row this follower was ever sent, and
    // every change's key (a delete has no row).
    const std::vector<Object>& seen_rows() const { return seen_rows_; }
    const std::vector<Value>& seen_keys() const { return seen_keys_; }
    const std::vector<std::string>& kinds() const { return kinds_; }  // the kinds of every result, in order
    Caller& caller() { return caller_; }

private:
    void on_progress(const Array& args, const Object& kwargs);
    void apply(const Object& change, std::map<std::string, Object>& rows);

    Caller& caller_;
    std::string uri_;
    Object kwargs_;
    bool record_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    std::shared_ptr<Outcome> outcome_;
    std::uint64_t generation_ = 0;  // results of a canceled call are ignored
    bool ready_ = false;
    bool fresh_ = false;  // this call sends a snapshot
    std::map<std::string, Object> rows_, pending_;
    std::string handle_, position_;
    std::vector<Object> seen_rows_;
    std::vector<Value> seen_keys_;
    std::vector<std::string> kinds_;
};

}  // namespace pgwamp::test::service
