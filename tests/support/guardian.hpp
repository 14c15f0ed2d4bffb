#pragma once
// Cleanup that survives the test process: a small `sh` child blocks reading
// a pipe from us and runs its cleanup script when the pipe reaches EOF, which
// happens when we release() it or when this process ends, however it ends
// (crash, abort, SIGKILL). The script must therefore be harmless to run after
// a normal cleanup too.

#include <string>

namespace pgwamp::test {

class Guardian {
public:
    Guardian() = default;
    explicit Guardian(const std::string& cleanup_script);
    ~Guardian() { release(); }
    Guardian(Guardian&& other) noexcept;
    Guardian& operator=(Guardian&& other) noexcept;
    Guardian(const Guardian&) = delete;
    Guardian& operator=(const Guardian&) = delete;

    // Lets the guardian run its script now and waits for it to finish.
    void release() noexcept;

private:
    int pipe_ = -1;
    int pid_ = -1;
};

}  // namespace pgwamp::test
