#include "tests/integration/service/live_follower.hpp"

namespace pgwamp::test::service {

LiveFollower::LiveFollower(Caller& caller, std::string uri, Object kwargs, bool record)
    : caller_(caller), uri_(std::move(uri)), kwargs_(std::move(kwargs)), record_(record) {}

void LiveFollower::start() {
    fresh_ = true;
    ready_ = false;
    pending_.clear();
    wamp::CallOptions options;
    const auto generation = ++generation_;
    options.on_progress = [this, generation, alive = alive_](Array args, Object kwargs) {
        if (*alive && generation == generation_) on_progress(args, kwargs);
    };
    outcome_ = caller_.start_call(uri_, {}, kwargs_, std::move(options));
}

void LiveFollower::resume() {
    fresh_ = false;
    ready_ = false;
    wamp::CallOptions options;
    const auto generation = ++generation_;
    options.on_progress = [this, generation, alive = alive_](Array args, Object kwargs) {
        if (*alive && generation == generation_) on_progress(args, kwargs);
    };
    outcome_ = caller_.start_call(uri_, {}, {{"handle", handle_}, {"after", position_}}, std::move(options));
}

void LiveFollower::cancel() {
    if (!running()) return;
    caller_.cancel(*outcome_);
    ++generation_;  // nothing of that call counts any more
    ready_ = false;
}

bool LiveFollower::wait_ready(std::chrono::milliseconds limit) {
    return caller_.run_until([this] { return ready_ || !running(); }, limit) && ready_;
}

void LiveFollower::on_progress(const Array& args, const Object& kwargs) {
    const Value* kind = find_kwarg(kwargs, "kind");
    const std::string k = kind && kind->is<std::string>() ? kind->as<std::string>() : "?";
    if (record_) kinds_.push_back(k);
    else if (outcome_) outcome_->progress.clear();  // the Caller keeps every result otherwise
    const Array empty;
    const Array& list = !args.empty() && args[0].is<Array>() ? args[0].as<Array>() : empty;
    if (k == "snapshot") {
        for (const auto& row : list) {
            if (!row.is<Object>()) continue;
            if (record_) seen_rows_.push_back(row.as<Object>());
            const Value* id = find_field(row.as<Object>(), "id");
            pending_[to_text(Object{{"id", id ? *id : Value()}})] = row.as<Object>();
        }
    } else if (k == "changes") {
        for (const auto& change : list)
            if (change.is<Object>()) apply(change.as<Object>(), ready_ || !fresh_ ? rows_ : pending_);
    } else if (k == "ready") {
        if (fresh_) rows_ = std::move(pending_);
        pending_.clear();
        const Value* handle = find_kwarg(kwargs, "handle");
        const Value* position = find_kwarg(kwargs, "position");
        handle_ = handle && handle->is<std::string>() ? handle->as<std::string>() : "";
        position_ = position && position->is<std::string>() ? position->as<std::string>() : "";
        ready_ = true;
    }
}

void LiveFollower::apply(const Object& change, std::map<std::string, Object>& rows) {
    const Value* op = find_field(change, "op");
    const Value* key = find_field(change, "key");
    const Value* row = find_field(change, "row");
    const Value* position = find_field(change, "position");
    if (!op || !key || !position || !op->is<std::string>() || !position->is<std::string>()) return;
    if (record_) {
        seen_keys_.push_back(*key);
        if (row && row->is<Object>()) seen_rows_.push_back(row->as<Object>());
    }
    if (ready_ && position->as<std::string>() <= position_) return;  // a duplicate
    if (ready_) position_ = position->as<std::string>();
    const std::string id = to_text(*key);
    if (op->as<std::string>() == "delete") {
        rows.erase(id);
    } else if (row && row->is<Object>()) {
        rows[id] = row->as<Object>();
    }
}

}  // namespace pgwamp::test::service
