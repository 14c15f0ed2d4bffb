#include "tests/support/guardian.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <utility>

namespace pgwamp::test {

Guardian::Guardian(const std::string& cleanup_script) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::dup2(fds[0], 0);  // EOF on stdin: released, or the test process is gone
        const std::string script = "cat >/dev/null; " + cleanup_script;
        ::execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(fds[0]);
    pipe_ = fds[1];
    pid_ = pid;
}

Guardian::Guardian(Guardian&& other) noexcept
    : pipe_(std::exchange(other.pipe_, -1)), pid_(std::exchange(other.pid_, -1)) {}

Guardian& Guardian::operator=(Guardian&& other) noexcept {
    if (this != &other) {
        release();
        pipe_ = std::exchange(other.pipe_, -1);
        pid_ = std::exchange(other.pid_, -1);
    }
    return *this;
}

void Guardian::release() noexcept {
    if (pipe_ >= 0) ::close(std::exchange(pipe_, -1));
    if (pid_ > 0) ::waitpid(std::exchange(pid_, -1), nullptr, 0);
}

}  // namespace pgwamp::test
